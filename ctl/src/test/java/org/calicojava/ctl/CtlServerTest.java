package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which command lines the resident javactl runs (bin/javactl's shim decides the same way), and its request body. */
class CtlServerTest {
    private static boolean serves(String line) {
        return CtlServer.serves(List.of(line.split(" ")));
    }

    @Test
    void readsOnly() {
        assertThat(serves("version")).isTrue();
        assertThat(serves("pool show")).isTrue();
        assertThat(serves("bgp peer show")).isTrue();
        assertThat(serves("get ippool -o yaml")).isTrue();
        assertThat(serves("--etcd-endpoints http://127.0.0.1:2379 pool show")).isTrue();
        assertThat(serves("pool add 10.0.0.0/16")).isFalse();
        assertThat(serves("apply -f x.yaml")).isFalse();
        assertThat(serves("node run --name n1")).isFalse();
        assertThat(serves("serve")).isFalse();
        assertThat(serves("--etcd-prefix show pool add 10.0.0.0/16")).isFalse(); // an option's value is no word
        assertThat(serves("profile p1 rule add inbound allow")).isFalse();
        assertThat(serves("profile p1 rule update -")).isFalse(); // stdin
        assertThat(serves("get")).isFalse(); // a usage error: the caller's JVM prints it
        assertThat(serves("")).isFalse();
        // the command picocli resolves decides, not a word that reads "show"
        assertThat(serves("node run --name show --ip 10.0.0.9")).isFalse();
        assertThat(serves("profile add show")).isFalse();
        assertThat(serves("delete profile show")).isFalse();
        assertThat(serves("ipam release --handle show")).isFalse();
        assertThat(serves("container add show 10.1.0.5")).isFalse();
        assertThat(serves("node show")).isTrue();
        assertThat(serves("node h1 bgp peer show -o json")).isTrue();
        assertThat(serves("profile show --detailed")).isTrue();
        assertThat(serves("nosuchcommand show")).isFalse();
    }

    @Test
    void bodyIsNulTerminatedArguments() {
        assertThat(CtlServer.args("pool\0show\0".getBytes(StandardCharsets.UTF_8)))
                .containsExactly("pool", "show");
        assertThat(CtlServer.args("a b\0\0é\0".getBytes(StandardCharsets.UTF_8)))
                .containsExactly("a b", "", "é");
        assertThat(CtlServer.args(new byte[0])).isEmpty();
        assertThat(CtlServer.args("pool\0show".getBytes(StandardCharsets.UTF_8)))
                .isNull();
    }
}
