package org.calicojava.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.Names;
import org.junit.jupiter.api.Test;

/** Environment, configuration and result handling without a kernel or etcd: what reaches stdout and the exit status. */
class CniInputTest {
    static final String GOOD = "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"type\":\"calico-java-cni\"}";

    record Out(int rc, JsonNode json, String err) {}

    static Out run(Map<String, String> env, String stdin) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Cli.run(
                Cli.Kind.NETWORK,
                env,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text.lines().count())
                .as("one JSON document on stdout: " + text)
                .isEqualTo(1);
        return new Out(rc, Json.read(text, JsonNode.class), err.toString(StandardCharsets.UTF_8));
    }

    static Map<String, String> env(String command) {
        Map<String, String> e = new HashMap<>(Map.of(
                "CNI_COMMAND",
                command,
                "CNI_CONTAINERID",
                "c0ffee",
                "CNI_NETNS",
                "/var/run/netns/nope",
                "CNI_IFNAME",
                "eth0",
                "CNI_PATH",
                "/nonexistent"));
        return e;
    }

    @Test
    void versionAnswersWithoutAConfigOrEtcd() {
        Out o = run(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"0.3.1\"}");
        assertThat(o.rc()).isZero();
        assertThat(o.json().get("cniVersion").asText()).isEqualTo("0.3.1");
        assertThat(o.json().get("supportedVersions"))
                .extracting(JsonNode::asText)
                .containsExactlyElementsOf(Versions.SUPPORTED);
        Out empty = run(Map.of("CNI_COMMAND", "VERSION"), "");
        assertThat(empty.json().get("cniVersion").asText()).isEqualTo(Versions.CURRENT);
    }

    @Test
    void errorsAreTheSpecsJsonWithANonZeroExit() {
        assertError(run(Map.of(), GOOD), CniException.INVALID_ENVIRONMENT, "CNI_COMMAND");
        assertError(run(Map.of("CNI_COMMAND", "FROB"), GOOD), CniException.INVALID_ENVIRONMENT, "FROB");
        Map<String, String> badId = env("ADD");
        badId.put("CNI_CONTAINERID", "../etc");
        assertError(run(badId, GOOD), CniException.INVALID_ENVIRONMENT, "CNI_CONTAINERID");
        Map<String, String> badIf = env("ADD");
        badIf.put("CNI_IFNAME", "a-name-far-too-long");
        assertError(run(badIf, GOOD), CniException.INVALID_ENVIRONMENT, "CNI_IFNAME");
        // 9 characters but 18 bytes: the kernel counts bytes (IFNAMSIZ), so this is refused before anything is made
        badIf.put("CNI_IFNAME", "\u00e9".repeat(9));
        assertError(run(badIf, GOOD), CniException.INVALID_ENVIRONMENT, "at most 15 bytes in UTF-8, got 18");
        badIf.put("CNI_IFNAME", "a\u00e0b"); // U+00E0 is C3 A0 in UTF-8: the kernel takes 0xa0 for white space
        assertError(run(badIf, GOOD), CniException.INVALID_ENVIRONMENT, "white space");
        Map<String, String> noNs = env("ADD");
        noNs.remove("CNI_NETNS");
        assertError(run(noNs, GOOD), CniException.INVALID_ENVIRONMENT, "CNI_NETNS");
        Map<String, String> badArgs = env("ADD");
        badArgs.put("CNI_ARGS", "novalue");
        assertError(run(badArgs, GOOD), CniException.INVALID_ENVIRONMENT, "CNI_ARGS");
        assertError(run(env("ADD"), "{nope"), CniException.DECODE_FAILURE, "not JSON");
        assertError(run(env("ADD"), "[1]"), CniException.DECODE_FAILURE, "object");
        assertError(run(env("ADD"), ""), CniException.DECODE_FAILURE, "stdin");
        assertError(run(env("ADD"), GOOD.replace("1.0.0", "0.2.0")), CniException.INCOMPATIBLE_VERSION, "0.2.0");
        assertError(
                run(env("ADD"), GOOD.replace(",\"type\":\"calico-java-cni\"", "")),
                CniException.INVALID_CONFIG,
                "type");
        assertError(run(env("ADD"), GOOD.replace("net1", "bad name")), CniException.INVALID_CONFIG, "name");
        assertError(run(env("ADD"), GOOD.replace("}", ",\"mtu\":9}")), CniException.INVALID_CONFIG, "mtu");
        assertError(
                run(env("ADD"), GOOD.replace("}", ",\"profile\":\"a/b\"}")), CniException.INVALID_CONFIG, "profile");
        assertError(run(env("ADD"), GOOD.replace("}", ",\"ipam\":{}}")), CniException.INVALID_CONFIG, "ipam");
        assertError(
                run(env("ADD"), GOOD.replace("}", ",\"log_level\":\"loud\"}")),
                CniException.INVALID_CONFIG,
                "log_level");
        assertError(run(env("ADD"), GOOD), CniException.UNKNOWN_CONTAINER, "/var/run/netns/nope");
        assertError(run(env("STATUS"), GOOD), CniException.INCOMPATIBLE_VERSION, "1.1.0");
        Out o = run(env("ADD"), GOOD.replace("1.0.0", "0.4.0").replace("}", ",\"mtu\":9}"));
        assertThat(o.json().get("cniVersion").asText())
                .as("errors in the config's version")
                .isEqualTo("0.4.0");
    }

    private static void assertError(Out o, int code, String inMsg) {
        assertThat(o.rc()).isNotZero();
        assertThat(o.json().get("code").asInt()).as(o.json().toString()).isEqualTo(code);
        assertThat(o.json().get("msg").asText()).contains(inMsg);
        assertThat(o.err().lines().count()).as("one line on stderr: " + o.err()).isEqualTo(1);
    }

    @Test
    void configDefaults() {
        NetConf c = NetConf.parse(GOOD.getBytes(StandardCharsets.UTF_8));
        assertThat(c.profiles()).containsExactly("net1");
        assertThat(c.ipamType()).isEqualTo(Versions.IPAM_TYPE);
        assertThat(c.mtu()).isZero();
        assertThat(c.etcdEnv()).isEmpty();
        NetConf d = NetConf.parse(GOOD.replace(
                        "}",
                        ",\"profiles\":[\"a\",\"b\"],\"etcd_endpoints\":\"http://e:1\","
                                + "\"etcd_prefix\":\"/x\",\"mtu\":1400}")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(d.profiles()).containsExactly("a", "b");
        assertThat(d.etcdEnv()).containsEntry("ETCD_ENDPOINTS", "http://e:1").containsEntry("CALICO_ETCD_PREFIX", "/x");
        assertThat(d.mtu()).isEqualTo(1400);
    }

    @Test
    void resultShapesPerVersion() {
        Cidr a = Cidr.parse("10.1.2.3/32");
        Result r = new Result(
                List.of(
                        new Result.Iface("caliabc", "ee:ee:ee:ee:ee:ee", null),
                        new Result.Iface("eth0", "02:00:00:00:00:01", "/var/run/netns/x")),
                List.of(new Result.IpConfig(a, a.toString(), "169.254.1.1", 1)),
                List.of(new Result.RouteEntry("0.0.0.0/0", "169.254.1.1")));
        JsonNode v1 = r.toJson("1.0.0");
        assertThat(v1.get("ips").get(0).has("version")).isFalse();
        assertThat(v1.get("ips").get(0).get("interface").asInt()).isEqualTo(1);
        assertThat(v1.get("interfaces").get(0).has("sandbox")).isFalse();
        assertThat(r.toJson("0.3.1").get("ips").get(0).get("version").asText()).isEqualTo("4");
        assertThat(r.toJson("0.4.0").get("cniVersion").asText()).isEqualTo("0.4.0");
    }

    @Test
    void delegatedIpamResultsAreValidated() {
        JsonNode ok = Json.read("{\"ips\":[{\"address\":\"10.9.0.5/24\",\"gateway\":\"10.9.0.1\"}]}", JsonNode.class);
        assertThat(Result.ipsOf(ok, "host-local").get(0).address()).isEqualTo(Cidr.parse("10.9.0.5/32"));
        for (String bad : List.of(
                "{}",
                "{\"ips\":[]}",
                "{\"ips\":[{\"address\":\"10.9.0.5\"}]}",
                "{\"ips\":[{\"address\":\"10.9.0.500/24\"}]}")) {
            assertThatThrownBy(() -> Result.ipsOf(Json.read(bad, JsonNode.class), "x"))
                    .isInstanceOf(CniException.class);
        }
    }

    @Test
    void endpointIdsAreStableAndDistinct() {
        CniEnv a = new CniEnv("ADD", "c1", "/x", "eth0", Map.of(), List.of());
        CniEnv b = new CniEnv("ADD", "c1", "/x", "eth1", Map.of(), List.of());
        assertThat(NetworkPlugin.endpointId(a)).hasSize(32).matches("[0-9a-f]+").isEqualTo(NetworkPlugin.endpointId(a));
        assertThat(NetworkPlugin.endpointId(a)).isNotEqualTo(NetworkPlugin.endpointId(b));
        assertThat(CalicoIpam.handle(a)).isEqualTo("cni.c1.eth0");
        assertThat(CalicoIpam.handle(b)).isEqualTo("cni.c1.eth1");
    }

    static CniEnv env(String id, String ifname) {
        return new CniEnv("DEL", id, "", ifname, Map.of(), List.of());
    }

    @Test
    void handlesAreUnambiguousAndAlwaysValidNames() {
        // the collisions of the old handle (container id + "." + ifname unless eth0)
        assertThat(CalicoIpam.handle(env("abc", "net1"))).isNotEqualTo(CalicoIpam.handle(env("abc.net1", "eth0")));
        assertThat(CalicoIpam.handle(env("javactl", "web"))).isNotEqualTo("javactl.web");
        assertThat(CalicoIpam.handle(env("abc", "net_1"))).isNotEqualTo(CalicoIpam.handle(env("abc.net", "1")));
        assertThat(CalicoIpam.handle(env("abc", "net@1"))).isEqualTo("cni.abc._6e65744031");
        assertThat(CalicoIpam.handle(env("abc", "a.b"))).isEqualTo("cni.abc._612e62");
        assertThat(CalicoIpam.handle(env("abc", "é"))).isEqualTo("cni.abc._c3a9");
        for (String ifname : List.of("eth0", "net@1", "a.b", "_x", "é", "..x", "a-b")) {
            String h = CalicoIpam.handle(env("c.1_x", ifname));
            assertThat(Names.check("handle", h)).isEqualTo(h);
            String suffix = h.substring(h.lastIndexOf('.') + 1);
            String decoded = suffix.startsWith("_")
                    ? new String(java.util.HexFormat.of().parseHex(suffix.substring(1)), StandardCharsets.UTF_8)
                    : suffix;
            assertThat(decoded).isEqualTo(ifname);
            assertThat(h.substring("cni.".length(), h.lastIndexOf('.'))).isEqualTo("c.1_x");
        }
        String longId = "a".repeat(253);
        assertThat(CalicoIpam.handleFits(CalicoIpam.handle(env(longId, "eth0"))))
                .isFalse();
        assertThatThrownBy(() -> CalicoIpam.handleForAdd(env(longId, "eth0")))
                .isInstanceOf(CniException.class)
                .matches(e -> ((CniException) e).code() == CniException.INVALID_CONFIG);
    }
}
