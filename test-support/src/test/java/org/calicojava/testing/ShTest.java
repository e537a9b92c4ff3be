package org.calicojava.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShTest {
    @Test
    void outputsExitAndStdin(@TempDir Path dir) throws Exception {
        Sh.Result r = Sh.run("sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("out\n");
        assertThat(r.err()).isEqualTo("err\n");
        assertThat(r.text()).isEqualTo("out\nerr\n");
        assertThat(r.trimmed().out()).isEqualTo("out");
        Path in = Files.writeString(dir.resolve("in"), "abc");
        assertThat(Sh.run(List.of("cat"), in, 10).out()).isEqualTo("abc");
        assertThat(Sh.ok("echo", "hi")).isEqualTo("hi\n");
        assertThatThrownBy(() -> Sh.ok("false"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("false failed");
    }

    @Test
    void timeoutAndMissingBinaryAreResults() {
        Sh.Result slow = Sh.run(List.of("sleep", "30"), null, Duration.ofMillis(300));
        assertThat(slow.exit()).isEqualTo(124);
        assertThat(slow.err()).contains("timed out");
        assertThat(Sh.run("/nonexistent/x").exit()).isEqualTo(127);
        assertThat(Sh.in("ns1", "ip", "route")).containsExactly("ip", "netns", "exec", "ns1", "ip", "route");
        assertThatThrownBy(() -> Sh.require("no-such-binary-cj")).hasMessageContaining("no-such-binary-cj");
    }

    @Test
    void waitForReturnsElapsedOrMinusOne() {
        long t0 = System.nanoTime();
        assertThat(Sh.waitFor(5, () -> System.nanoTime() - t0 > 100_000_000L)).isBetween(90L, 5000L);
        assertThat(Sh.waitFor(0.2, () -> false)).isEqualTo(-1);
    }
}
