package org.calicojava.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessRunnerTest {
    private final ProcessRunner runner = ProcessRunner.local();

    @Test
    void passesStdinAndKeepsOutputsApart() {
        CommandRunner.Result r = runner.shell("cat; echo oops >&2; exit 3", Duration.ofSeconds(10));
        assertThat(runner.run(List.of("cat"), "a\nb\n").out()).isEqualTo("a\nb\n");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).isEqualTo("oops\n");
        assertThat(r.firstError()).isEqualTo("oops");
        assertThat(runner.shell("printf 'x\\ny\\n'; echo z >&2", Duration.ofSeconds(10))
                        .oneLine())
                .isEqualTo("x | y | z");
    }

    @Test
    void largeOutputDoesNotDeadlock() {
        CommandRunner.Result r = runner.shell("head -c 5000000 /dev/zero | tr '\\0' a", Duration.ofSeconds(30));
        assertThat(r.ok()).isTrue();
        assertThat(r.out()).hasSize(5_000_000);
    }

    @Test
    void timeoutKillsTheCommandAndItsChildren(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path pid = dir.resolve("child.pid");
        CommandRunner.Result r = runner.shell(
                "sleep 30 & echo $! > " + pid + "; wait", Duration.ofSeconds(2)); // time for sh to write it
        assertThat(r.exit()).isEqualTo(CommandRunner.Result.TIMED_OUT);
        assertThat(r.err()).contains("timed out");
        long child = Long.parseLong(Files.readString(pid).trim());
        for (int i = 0;
                i < 50 && ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false);
                i++) {
            Thread.sleep(100);
        }
        assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
    }

    @Test
    void aMissingBinaryIsAResult() {
        CommandRunner.Result r = runner.run(List.of("/nonexistent/binary"), null);
        assertThat(r.exit()).isEqualTo(CommandRunner.Result.NOT_STARTED);
        assertThat(r.firstError()).contains("/nonexistent/binary");
    }
}
