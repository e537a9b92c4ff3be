package org.calicojava.netlink.nft;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/** An immutable byte string (a register value, a set key), compared by content. */
public final class Bytes {
    private final byte[] raw;

    private Bytes(byte[] raw) {
        this.raw = raw;
    }

    public static Bytes of(byte... raw) {
        return new Bytes(raw.clone());
    }

    public static Bytes hex(String hex) {
        return new Bytes(HexFormat.of().parseHex(hex));
    }

    /** One byte (nfproto, l4proto). */
    public static Bytes u8(int v) {
        return new Bytes(new byte[] {(byte) v});
    }

    /** A 16-bit value in network order (a port). */
    public static Bytes be16(int v) {
        return new Bytes(new byte[] {(byte) (v >>> 8), (byte) v});
    }

    /** A 32-bit value in host order (a mark, a ct state bit set). */
    public static Bytes host32(int v) {
        return new Bytes(
                ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array());
    }

    /** An address's bytes (network order). */
    public static Bytes address(InetAddress a) {
        return new Bytes(a.getAddress());
    }

    /** An interface name as nft compares it: the name's bytes, NUL padded to 16 (IFNAMSIZ). */
    public static Bytes ifname(String name) {
        byte[] s = name.getBytes(StandardCharsets.UTF_8);
        if (s.length > 15) {
            throw new IllegalArgumentException("interface name longer than 15 bytes: " + name);
        }
        return new Bytes(Arrays.copyOf(s, 16));
    }

    /** An interface name prefix ({@code "cali*"}): just the prefix's bytes, no padding, so cmp compares a prefix. */
    public static Bytes ifnamePrefix(String prefix) {
        return new Bytes(prefix.getBytes(StandardCharsets.UTF_8));
    }

    public int length() {
        return raw.length;
    }

    public byte[] toArray() {
        return raw.clone();
    }

    /** The bytes without a copy, for the encoder (never modified). */
    byte[] raw() {
        return raw;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes b && Arrays.equals(raw, b.raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw);
    }

    @Override
    public String toString() {
        return "0x" + HexFormat.of().formatHex(raw);
    }
}
