package org.calicojava.bgp.codec;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * A packed list of prefixes of one family (RFC 4271 section 4.3, RFC 4760, RFC 7911 path ids): one {@code int[]} with a
 * fixed stride per entry, {@code [pathId,] length, word0[, word1, word2, word3]}, address words big-endian with host bits
 * cleared. No object per prefix: the list is decoded straight from the wire and encoded straight back.
 */
public final class Nlri {
    private final Family family;
    private final boolean addPath;
    private final int stride;
    private final int[] data;
    private final int size;

    Nlri(Family family, boolean addPath, int[] data, int size) {
        this.family = family;
        this.addPath = addPath;
        this.stride = stride(family, addPath);
        this.data = data;
        this.size = size;
    }

    static int stride(Family f, boolean addPath) {
        return (addPath ? 1 : 0) + 1 + f.addressBytes / 4;
    }

    public static Nlri empty(Family f) {
        return new Nlri(f, false, new int[0], 0);
    }

    public Family family() {
        return family;
    }

    public boolean addPath() {
        return addPath;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public int prefixLength(int i) {
        return data[i * stride + (addPath ? 1 : 0)];
    }

    /** The ADD-PATH path identifier, 0 without ADD-PATH. */
    public int pathId(int i) {
        return addPath ? data[i * stride] : 0;
    }

    /** Address word {@code w} (0 for IPv4; 0..3 for IPv6) of prefix {@code i}. */
    public int word(int i, int w) {
        return data[i * stride + (addPath ? 2 : 1) + w];
    }

    /** An IPv4 prefix as one long: {@code length << 32 | address}, a compact map key. */
    public long v4Key(int i) {
        return (long) prefixLength(i) << 32 | (word(i, 0) & 0xffffffffL);
    }

    public String toString(int i) {
        String p = Prefix.format(family, i, this);
        return addPath ? p + " path " + Integer.toUnsignedString(pathId(i)) : p;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < size; i++) {
            sb.append(i == 0 ? "" : ", ").append(toString(i));
        }
        return sb.append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Nlri n
                && n.family == family
                && n.size == size
                && (size == 0 || n.addPath == addPath)
                && Arrays.equals(data, 0, size * stride, n.data, 0, size * stride);
    }

    @Override
    public int hashCode() {
        int h = family.ordinal();
        for (int i = 0; i < size * stride; i++) {
            h = h * 31 + data[i];
        }
        return h;
    }

    /**
     * Decodes {@code len} bytes of NLRI at the reader index (two passes: count and validate, then fill one exact array).
     *
     * @throws BgpException 3/10 invalid network field on a truncated prefix or a length beyond the family's maximum
     */
    public static Nlri decode(ByteBuf buf, int len, Family f, boolean addPath) {
        int start = buf.readerIndex(), end = start + len, max = f.maxPrefixLength(), n = 0;
        for (int p = start; p < end; n++) {
            if (addPath) {
                p += 4;
            }
            if (p >= end) {
                throw invalid();
            }
            int bits = buf.getUnsignedByte(p);
            if (bits > max) {
                throw invalid();
            }
            p += 1 + ((bits + 7) >>> 3);
            if (p > end) {
                throw invalid();
            }
        }
        int stride = stride(f, addPath);
        int[] data = new int[n * stride];
        int p = start, o = 0, words = f.addressBytes / 4;
        for (int i = 0; i < n; i++) {
            if (addPath) {
                data[o++] = buf.getInt(p);
                p += 4;
            }
            int bits = buf.getUnsignedByte(p++);
            data[o++] = bits;
            int bytes = (bits + 7) >>> 3;
            for (int w = 0; w < words; w++) {
                int v = 0, wb = Math.min(4, Math.max(0, bytes - w * 4));
                if (wb == 4) {
                    v = buf.getInt(p);
                    p += 4;
                } else {
                    for (int k = 0; k < wb; k++) {
                        v |= buf.getUnsignedByte(p++) << (24 - 8 * k);
                    }
                }
                int wbits = bits - 32 * w;
                data[o++] = wbits >= 32 ? v : wbits <= 0 ? 0 : v & (-1 << (32 - wbits));
            }
        }
        buf.readerIndex(end);
        return new Nlri(f, addPath, data, n);
    }

    private static BgpException invalid() {
        return new BgpException(BgpError.of(BgpError.UPDATE_MESSAGE, BgpError.INVALID_NETWORK_FIELD));
    }

    /** Bytes {@link #encode} writes. */
    public int encodedLength(boolean withPathId) {
        int n = 0;
        for (int i = 0; i < size; i++) {
            n += (withPathId ? 5 : 1) + ((prefixLength(i) + 7) >>> 3);
        }
        return n;
    }

    /** Writes entries {@code from..to-1}, with path ids when {@code withPathId} (0 where this list has none). */
    public void encode(ByteBuf out, boolean withPathId, int from, int to) {
        int words = family.addressBytes / 4;
        for (int i = from; i < to; i++) {
            if (withPathId) {
                out.writeInt(pathId(i));
            }
            int bits = prefixLength(i), bytes = (bits + 7) >>> 3;
            out.writeByte(bits);
            for (int w = 0; w < words && bytes > 0; w++, bytes -= 4) {
                int v = word(i, w);
                if (bytes >= 4) {
                    out.writeInt(v);
                } else
                    for (int k = 0; k < bytes; k++) {
                        out.writeByte(v >>> (24 - 8 * k));
                    }
            }
        }
    }

    public void encode(ByteBuf out, boolean withPathId) {
        encode(out, withPathId, 0, size);
    }

    /** Entries {@code from..to-1} as a new list. */
    public Nlri slice(int from, int to) {
        return new Nlri(family, addPath, Arrays.copyOfRange(data, from * stride, to * stride), to - from);
    }

    public static Builder builder(Family f, boolean addPath) {
        return new Builder(f, addPath);
    }

    /** Accumulates prefixes into one packed array. */
    public static final class Builder {
        private final Family family;
        private final boolean addPath;
        private final int stride;
        private int[] data = new int[64];
        private int size;

        Builder(Family family, boolean addPath) {
            this.family = family;
            this.addPath = addPath;
            this.stride = stride(family, addPath);
        }

        public Builder add(Prefix p) {
            return add(p, 0);
        }

        public Builder add(Prefix p, int pathId) {
            if (p.family() != family) {
                throw new IllegalArgumentException("prefix " + p + " (expected: " + family + ")");
            }
            if ((size + 1) * stride > data.length) {
                data = Arrays.copyOf(data, data.length * 2);
            }
            int o = size * stride;
            if (addPath) {
                data[o++] = pathId;
            }
            data[o++] = p.length();
            for (int w = 0; w < family.addressBytes / 4; w++) {
                data[o++] = p.word(w);
            }
            size++;
            return this;
        }

        public Builder addV4(int address, int length) {
            if ((size + 1) * stride > data.length) {
                data = Arrays.copyOf(data, data.length * 2);
            }
            int o = size * stride;
            if (addPath) {
                data[o++] = 0;
            }
            data[o++] = length;
            data[o] = length == 0 ? 0 : address & (-1 << (32 - length));
            size++;
            return this;
        }

        public int size() {
            return size;
        }

        public Nlri build() {
            return new Nlri(family, addPath, Arrays.copyOf(data, size * stride), size);
        }
    }
}
