package org.calicojava.cni;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The attachment locks' files: a bounded set, however many attachments come and go. */
class AttachmentLockTest {
    private static CniEnv env(String container) {
        return new CniEnv("ADD", container, "/x", "eth0", Map.of(), List.of());
    }

    @Test
    void attachmentsSpreadOverABoundedSetOfFiles() {
        Set<Path> files = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            Path f = AttachmentLock.file(Cli.Kind.NETWORK, env("c" + i));
            assertThat(f.getFileName().toString()).matches("network-[0-9a-f]{3}\\.lock");
            files.add(f);
        }
        assertThat(files).hasSizeLessThanOrEqualTo(AttachmentLock.STRIPES).hasSizeGreaterThan(1_000);
        assertThat(AttachmentLock.file(Cli.Kind.IPAM, env("c1")).getFileName().toString())
                .startsWith("ipam-");
        assertThat(AttachmentLock.file(Cli.Kind.NETWORK, env("c1")))
                .as("the same attachment, the same file, in any JVM")
                .isEqualTo(AttachmentLock.file(Cli.Kind.NETWORK, env("c1")));
    }

    @Test
    void takingTheLocksOfThousandsOfAttachmentsLeavesAtMostOneFilePerStripe() throws Exception {
        String tag = "lt" + ProcessHandle.current().pid() + "-";
        Files.createDirectories(AttachmentLock.dir());
        long before = count();
        for (int i = 0; i < 3_000; i++) {
            try (AttachmentLock held = AttachmentLock.acquire(Cli.Kind.NETWORK, env(tag + i), 5)) {
                assertThat(AttachmentLock.file(Cli.Kind.NETWORK, env(tag + i))).exists();
            }
        }
        assertThat(count() - before).isBetween(0L, (long) AttachmentLock.STRIPES);
    }

    private static long count() throws java.io.IOException {
        try (Stream<Path> s = Files.list(AttachmentLock.dir())) {
            return s.count();
        }
    }

    @Test
    void oneCallTakingASecondLockOnTheSameFileFailsAndKeepsTheFirst() throws Exception {
        CniEnv a = env("twice-a");
        try (AttachmentLock held = AttachmentLock.acquire(Cli.Kind.NETWORK, a, 5)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> AttachmentLock.acquire(Cli.Kind.NETWORK, a, 1))
                    .isInstanceOf(CniException.class)
                    .hasMessageContaining("taken twice by one call");
            // the first lock still holds the file: another process would wait (here: another channel cannot lock)
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(
                    AttachmentLock.file(Cli.Kind.NETWORK, a), java.nio.file.StandardOpenOption.WRITE)) {
                org.assertj.core.api.Assertions.assertThatThrownBy(ch::tryLock)
                        .isInstanceOf(java.nio.channels.OverlappingFileLockException.class);
            }
        }
    }
}
