package org.calicojava.ctl.diags;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a gzip-compressed POSIX ustar archive of regular files (the JDK has no tar; this is the 512-byte header,
 * the content, padding to 512, and two zero blocks at the end). Names must be ASCII: at most 100 bytes, or 255 split
 * at a '/' into ustar's 155-byte prefix and 100-byte name.
 */
public final class TarGz implements AutoCloseable {
    private static final int BLOCK = 512;
    private final OutputStream out;
    private final long mtime;

    public TarGz(OutputStream raw, long mtimeSeconds) throws IOException {
        this.out = new GZIPOutputStream(new BufferedOutputStream(raw, 65536), 65536);
        this.mtime = mtimeSeconds;
    }

    /**
     * Adds a regular file, mode 0600. A name over 100 bytes is split at a '/' into ustar's prefix (at most 155 bytes)
     * and name (at most 100), as tar does.
     */
    public void add(String name, byte[] content) throws IOException {
        if (!StandardCharsets.US_ASCII.newEncoder().canEncode(name)) {
            throw new IllegalArgumentException("tar entry name: " + name + " (expected: ASCII)");
        }
        int split = split(name);
        byte[] n = name.substring(split + 1).getBytes(StandardCharsets.US_ASCII);
        byte[] prefix = split < 0 ? new byte[0] : name.substring(0, split).getBytes(StandardCharsets.US_ASCII);
        byte[] h = new byte[BLOCK];
        System.arraycopy(n, 0, h, 0, n.length);
        System.arraycopy(prefix, 0, h, 345, prefix.length);
        octal(h, 100, 8, 0600);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, content.length);
        octal(h, 136, 12, mtime);
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = '0';
        System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 8);
        byte[] owner = "root".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(owner, 0, h, 265, owner.length);
        System.arraycopy(owner, 0, h, 297, owner.length);
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        out.write(h);
        out.write(content);
        int pad = (BLOCK - content.length % BLOCK) % BLOCK;
        out.write(new byte[pad]);
    }

    /** -1: the name fits as it is; else the '/' to split it at (prefix before it, name after it). */
    private static int split(String name) {
        if (name.length() <= 100) {
            return -1;
        }
        for (int i = Math.min(name.length() - 2, 155); i > 0; i--) {
            if (name.charAt(i) == '/' && name.length() - i - 1 <= 100) {
                return i;
            }
        }
        throw new IllegalArgumentException(
                "tar entry name: " + name + " (expected: at most 100 bytes, or a prefix of at most 155 before a '/')");
    }

    /** {@code len - 1} octal digits and a NUL. */
    private static void octal(byte[] h, int off, int len, long value) {
        String s = Long.toOctalString(value);
        if (s.length() > len - 1) {
            throw new IllegalArgumentException("tar field too small for " + value);
        }
        s = "0".repeat(len - 1 - s.length()) + s;
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, off, len - 1);
        h[off + len - 1] = 0;
    }

    @Override
    public void close() throws IOException {
        out.write(new byte[2 * BLOCK]);
        out.close();
    }
}
