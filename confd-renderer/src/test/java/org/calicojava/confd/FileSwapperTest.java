package org.calicojava.confd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.calicojava.process.CommandRunner;
import org.calicojava.process.ProcessRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Atomic swap on the real file system, with the real shell for check commands. */
class FileSwapperTest {
    @TempDir
    Path dir;

    private TemplateResource res(Integer mode, String check) {
        return new TemplateResource("r", dir.resolve("t"), dir.resolve("out/f.conf"), List.of("/k"), mode, check, null);
    }

    private final List<String> ran = new ArrayList<>();
    private final CommandRunner recording = (argv, stdin, t) -> {
        ran.add(argv.get(argv.size() - 1)); // the shell line of /bin/sh -c LINE
        return ProcessRunner.local().run(argv, stdin, t);
    };

    @Test
    void writesThenLeavesAnIdenticalFileAlone() throws Exception {
        FileSwapper s = new FileSwapper(recording, Duration.ofSeconds(5));
        assertThat(s.swap(res(null, null), "a\n").status()).isEqualTo(FileSwapper.Status.WRITTEN);
        Path f = dir.resolve("out/f.conf");
        assertThat(Files.readString(f)).isEqualTo("a\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                .isEqualTo("rw-r--r--");
        Object inode = Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class)
                .fileKey();
        assertThat(s.swap(res(null, "false"), "a\n").status()).isEqualTo(FileSwapper.Status.UNCHANGED);
        assertThat(ran).isEmpty(); // not even checked
        assertThat(Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class)
                        .fileKey())
                .isEqualTo(inode);
    }

    @Test
    void keepsTheExistingModeUnlessTheResourceSetsOne() throws Exception {
        FileSwapper s = new FileSwapper(recording, Duration.ofSeconds(5));
        s.swap(res(0600, null), "a\n");
        Path f = dir.resolve("out/f.conf");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                .isEqualTo("rw-------");
        s.swap(res(null, null), "b\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                .isEqualTo("rw-------");
        assertThat(s.swap(res(0640, null), "b\n").status()).isEqualTo(FileSwapper.Status.UNCHANGED);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                .isEqualTo("rw-r-----");
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "grep -q never {{.src}}", "echo 'line one'; echo 'line two' >&2; exit 3"})
    void aFailedCheckKeepsTheOldFileAndLeavesNoTempFile(String check) throws Exception {
        FileSwapper s = new FileSwapper(recording, Duration.ofSeconds(5));
        s.swap(res(null, null), "old\n");
        FileSwapper.Outcome o = s.swap(res(null, check), "new\n");
        assertThat(o.status()).isEqualTo(FileSwapper.Status.CHECK_FAILED);
        assertThat(o.message()).startsWith("check_cmd failed (exit ").doesNotContain("\n");
        if (check.contains("exit 3")) {
            assertThat(o.message()).isEqualTo("check_cmd failed (exit 3): line one | line two");
        }
        assertThat(Files.readString(dir.resolve("out/f.conf"))).isEqualTo("old\n");
        try (var files = Files.list(dir.resolve("out"))) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("f.conf");
        }
    }

    @Test
    void theCheckSeesTheStagedContentBesideDest() throws Exception {
        FileSwapper s = new FileSwapper(recording, Duration.ofSeconds(5));
        Path seen = dir.resolve("seen");
        assertThat(s.swap(res(null, "cp {{.src}} " + seen + " && grep -q new {{.src}}"), "new\n")
                        .status())
                .isEqualTo(FileSwapper.Status.WRITTEN);
        assertThat(Files.readString(seen)).isEqualTo("new\n");
        assertThat(ran.get(0)).contains(dir.resolve("out").toString() + "/.f.conf.");
    }

    @Test
    void aHangingCheckTimesOut() throws Exception {
        FileSwapper s = new FileSwapper(ProcessRunner.local(), Duration.ofMillis(300));
        FileSwapper.Outcome o = s.swap(res(null, "sleep 30; true"), "x\n"); // sh forks sleep: both are killed
        assertThat(o.status()).isEqualTo(FileSwapper.Status.CHECK_FAILED);
        assertThat(o.message()).contains("exit 124", "timed out");
    }
}
