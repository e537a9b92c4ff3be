package org.calicojava.confd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.calicojava.process.CommandRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a rendered file in place the safe way: nothing happens when dest already has these bytes; otherwise the
 * content goes to a temp file in dest's directory, is fsynced and given its mode (the resource's, else the existing
 * file's, else 0644), the check command runs on it, and only if that passes is it renamed over dest (atomic on one
 * file system) and the directory fsynced. A failed check leaves dest as it was and removes the temp file. For a
 * resource with a reload_cmd, an empty marker {@code .DEST.reload-owed} is made beside dest before the rename and
 * removed only once the reload has succeeded ({@link PendingReloads}), so a confd that stops in between (or whose reload
 * failed) reloads on its next start, when the rendered bytes are the same and nothing else would.
 */
public final class FileSwapper {
    private static final Logger LOG = LoggerFactory.getLogger(FileSwapper.class);

    public enum Status {
        UNCHANGED,
        WRITTEN,
        CHECK_FAILED
    }

    public record Outcome(Status status, String message) {}

    private final CommandRunner runner;
    private final Duration checkTimeout;

    public FileSwapper(CommandRunner runner, Duration checkTimeout) {
        this.runner = runner;
        this.checkTimeout = checkTimeout;
    }

    /** {@link IOException} only for file system failures (the caller reports them). */
    public Outcome swap(TemplateResource r, String content) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Path dest = r.dest().toAbsolutePath();
        boolean exists = Files.isRegularFile(dest);
        if (exists && Arrays.equals(Files.readAllBytes(dest), bytes)) {
            if (r.mode() != null && modeOf(dest) != r.mode()) {
                Files.setPosixFilePermissions(dest, permissions(r.mode())); // content same: no reload needed
            }
            return new Outcome(Status.UNCHANGED, "unchanged");
        }
        Path dir = dest.getParent();
        Files.createDirectories(dir);
        int mode = r.mode() != null ? r.mode() : exists ? modeOf(dest) : 0644;
        Path staged = Files.createTempFile(dir, "." + dest.getFileName() + ".", ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch =
                    FileChannel.open(staged, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.setPosixFilePermissions(staged, permissions(mode));
            String check = r.checkCommandFor(staged);
            if (check != null) {
                CommandRunner.Result res = runner.shell(check, checkTimeout);
                if (!res.ok()) {
                    return new Outcome(
                            Status.CHECK_FAILED, "check_cmd failed (exit " + res.exit() + "): " + res.oneLine());
                }
            }
            if (r.reloadCmd() != null) {
                try {
                    Files.write(reloadOwed(dest), new byte[0]); // before the rename: no reload can be lost
                } catch (IOException e) { // the file still goes in place; only a restart could lose its reload
                    LOG.warn("{}: cannot make {}: {}", r.name(), reloadOwed(dest), e.toString());
                }
            }
            try {
                Files.move(staged, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(staged, dest, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException ignored) {
                // some file systems refuse to fsync a directory; the rename is still atomic
            }
            return new Outcome(
                    Status.WRITTEN, "wrote " + bytes.length + " bytes (mode " + Integer.toOctalString(mode) + ")");
        } finally {
            if (!moved) {
                Files.deleteIfExists(staged);
            }
        }
    }

    /** The marker of a reload owed for {@code dest} (a dot file: BIRD's and shell globs leave it out). */
    static Path reloadOwed(Path dest) {
        Path abs = dest.toAbsolutePath();
        return abs.resolveSibling("." + abs.getFileName() + ".reload-owed");
    }

    static int modeOf(Path p) throws IOException {
        int m = 0;
        for (PosixFilePermission perm : Files.getPosixFilePermissions(p)) {
            m |= 1 << (8 - perm.ordinal());
        }
        return m;
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE: bits 8..0
        for (int i = 0; i < 9; i++) {
            if ((mode & (1 << (8 - i))) != 0) {
                s.add(all[i]);
            }
        }
        return s;
    }
}
