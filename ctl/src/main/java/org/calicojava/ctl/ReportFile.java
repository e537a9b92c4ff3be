package org.calicojava.ctl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A report file that only its owner reads: written whole or not at all (a temporary file in the same directory, mode
 * 0600, synced, then renamed over the name), never over anything but a regular file; read back with a size limit, from
 * a regular file only, as UTF-8.
 */
final class ReportFile {
    private ReportFile() {}

    /** Writes {@code text} to {@code file} atomically, mode 0600; a {@link UserException} if it cannot. */
    static void write(Path file, String text) {
        Path target = file.toAbsolutePath().normalize();
        Path dir = target.getParent();
        if (dir == null || target.getFileName() == null || !Files.isDirectory(dir)) {
            throw new UserException("report " + file + ": no such directory " + dir);
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)
                && !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new UserException("report " + file + " exists and is not a regular file: not replaced");
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile(
                    dir,
                    "." + target.getFileName() + ".",
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
        } catch (IOException e) {
            throw new UserException("cannot write report " + file + ": " + e.getMessage());
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // nothing more to do: the message above says what failed
                }
            }
        }
    }

    /** The text of {@code file}: a regular file of at most {@code maxBytes}, UTF-8; a {@link UserException} if not. */
    static String read(Path file, long maxBytes) {
        if (!Files.isRegularFile(file)) {
            throw new UserException(
                    "report " + file + ": " + (Files.exists(file) ? "not a regular file" : "no such file"));
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        } catch (IOException e) {
            throw new UserException("cannot read report " + file + ": " + e.getMessage());
        }
        if (bytes.length > maxBytes) {
            throw new UserException("report " + file + ": larger than " + maxBytes + " bytes: refused");
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new UserException("report " + file + ": not UTF-8 text: refused");
        }
    }
}
