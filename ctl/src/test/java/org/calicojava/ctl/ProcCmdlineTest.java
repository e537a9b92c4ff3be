package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Recognising a node run by its command line; reading a real one from /proc. */
class ProcCmdlineTest {
    private static ProcCmdline of(String... args) {
        return new ProcCmdline(1, List.of(args));
    }

    @Test
    void recognisesNodeRunOfThisNodeOnly() {
        List<String> java = List.of("java", "-Dcalico.home=/x", "-cp", "a.jar", "org.calicojava.ctl.Main");
        assertThat(of(cat(java, "--etcd-endpoints", "http://e:1", "node", "run", "--name", "h1", "--ip", "1.2.3.4"))
                        .isNodeRun("h1"))
                .isTrue();
        assertThat(of(cat(java, "node", "run", "--ip", "1.2.3.4", "--name=h1")).isNodeRun("h1"))
                .isTrue();
        assertThat(of(cat(java, "node", "run", "--name", "h1")).isNodeRun("h2")).isFalse();
        assertThat(of(cat(java, "node", "stop", "--name", "h1")).isNodeRun("h1"))
                .isFalse();
        assertThat(of("sleep", "300").isNodeRun("h1")).isFalse();
        assertThat(of("sh", "-c", "echo org.calicojava.ctl.Main node run --name h1")
                        .isNodeRun("h1"))
                .isFalse();
    }

    @Test
    void readsThisProcess() {
        ProcCmdline self = ProcCmdline.of(ProcessHandle.current().pid()).orElseThrow();
        assertThat(self.args().get(0)).endsWith("java");
        assertThat(ProcCmdline.of(0)).isEmpty();
        assertThat(ProcCmdline.of(Integer.MAX_VALUE)).isEmpty();
    }

    private static String[] cat(List<String> head, String... tail) {
        List<String> all = new java.util.ArrayList<>(head);
        all.addAll(List.of(tail));
        return all.toArray(new String[0]);
    }
}
