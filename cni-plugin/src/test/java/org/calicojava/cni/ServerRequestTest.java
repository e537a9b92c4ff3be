package org.calicojava.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CNI server's request boundary: path, method, header names, sizes and encodings; the environment it builds. */
class ServerRequestTest {
    private static Map.Entry<String, String> h(String k, String v) {
        return Map.entry(k, v);
    }

    @Test
    void headersBecomeTheCallsCniVariables() throws Exception {
        String netns = new String("/run/netns/é".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        ServerRequest r = ServerRequest.of(
                "POST",
                "/v1/ipam",
                List.of(h("Host", "cni"), h("cni_command", "ADD"), h("CNI_NETNS", netns), h("CNI_ARGS", "")),
                "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(r.kind()).isEqualTo(Cli.Kind.IPAM);
        assertThat(r.cniEnv())
                .containsOnly(
                        Map.entry("CNI_COMMAND", "ADD"),
                        Map.entry("CNI_NETNS", "/run/netns/é"),
                        Map.entry("CNI_ARGS", ""));
        assertThat(r.command()).isEqualTo("ADD");
        Map<String, String> env =
                r.processEnv(Map.of("PATH", "/bin", "CNI_IFNAME", "server's own", "ETCD_ENDPOINTS", "x"));
        assertThat(env)
                .containsEntry("PATH", "/bin")
                .containsEntry("ETCD_ENDPOINTS", "x")
                .containsEntry("CNI_COMMAND", "ADD")
                .doesNotContainKey("CNI_IFNAME");
    }

    @Test
    void badRequestsAreRefusedWithStatusAndCode() {
        byte[] none = new byte[0];
        assertInvalid(
                () -> ServerRequest.of("POST", "/v1/other", List.of(), none), 404, CniException.INVALID_ENVIRONMENT);
        assertInvalid(
                () -> ServerRequest.of("PUT", "/v1/network", List.of(), none), 405, CniException.INVALID_ENVIRONMENT);
        assertInvalid(
                () -> ServerRequest.of(
                        "POST", "/v1/network", List.of(h("CNI_COMMAND", "ADD"), h("Cni_Command", "DEL")), none),
                400,
                CniException.INVALID_ENVIRONMENT);
        assertInvalid(
                () -> ServerRequest.of("POST", "/v1/network", List.of(h("CNI_ARGS", "x".repeat(20_000))), none),
                400,
                CniException.INVALID_ENVIRONMENT);
        assertInvalid(
                () -> ServerRequest.of("POST", "/v1/network", List.of(h("CNI_NETNS", "/x\u00ff")), none),
                400,
                CniException.INVALID_ENVIRONMENT);
        assertInvalid(
                () -> ServerRequest.of("POST", "/v1/network", List.of(h("CNI_NETNS", "/x\u0001")), none),
                400,
                CniException.INVALID_ENVIRONMENT);
        assertInvalid(
                () -> ServerRequest.of("POST", "/v1/network", List.of(), new byte[NetConf.MAX_BYTES + 1]),
                413,
                CniException.DECODE_FAILURE);
    }

    interface Call {
        ServerRequest run() throws ServerRequest.Invalid;
    }

    private static void assertInvalid(Call c, int status, int code) {
        assertThatThrownBy(c::run).isInstanceOfSatisfying(ServerRequest.Invalid.class, e -> {
            assertThat(e.status).isEqualTo(status);
            assertThat(e.code).isEqualTo(code);
        });
    }
}
