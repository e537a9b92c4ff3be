package org.calicojava.netlink.codec;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.calicojava.netlink.NetlinkCodecException;

/**
 * A parsed run of struct rtattr / nlattr (u16 length including the 4-byte header, u16 type, value, padding to 4).
 * The NLA_F_NESTED and NLA_F_NET_BYTEORDER bits are masked off the type. As in the kernel's nla_parse the last
 * occurrence of a type wins; {@link #all} returns every occurrence. Getters check the value size.
 */
public final class Attrs {
    private static final int TYPE_MASK = 0x3fff;
    private final String context;
    private final List<int[]> order = new ArrayList<>(); // {type, index into values}
    private final List<ByteBuffer> values = new ArrayList<>();
    private ByteBuffer[] byType = new ByteBuffer[32];

    private Attrs(String context) {
        this.context = context;
    }

    /** Parses attributes from position to limit of {@code region}; {@code context} names them in errors. */
    public static Attrs parse(ByteBuffer region, String context) {
        ByteBuffer b = region.slice().order(ByteOrder.nativeOrder());
        Attrs attrs = new Attrs(context);
        while (b.hasRemaining()) {
            int start = b.position();
            Need.bytes(b, 4, context + " rtattr header");
            int len = Need.u16(b);
            int type = Need.u16(b) & TYPE_MASK;
            if (len < 4 || len > b.limit() - start) {
                throw new NetlinkCodecException(context + " attribute " + type + ": length " + len + " (expected: 4.."
                        + (b.limit() - start) + ")");
            }
            attrs.add(type, b.slice(start + 4, len - 4).order(ByteOrder.nativeOrder()));
            b.position(Math.min(b.limit(), start + Rtnl.align(len)));
        }
        return attrs;
    }

    /**
     * The value of the first attribute of {@code type} in {@code region} (position to limit), as a view in host byte
     * order, found without parsing the others (for a value looked up in every message of a large dump); null when
     * {@code region} is null or has none. A malformed length ends the walk.
     */
    public static ByteBuffer find(ByteBuffer region, int type) {
        if (region == null) {
            return null;
        }
        int at = region.position();
        int end = region.limit();
        while (end - at >= 4) {
            int len = region.getShort(at) & 0xffff;
            if (len < 4 || len > end - at) {
                return null;
            }
            if ((region.getShort(at + 2) & TYPE_MASK) == type) {
                return region.slice(at + 4, len - 4).order(ByteOrder.nativeOrder());
            }
            at += Rtnl.align(len);
        }
        return null;
    }

    private void add(int type, ByteBuffer value) {
        if (type >= byType.length) {
            byType = Arrays.copyOf(byType, Math.max(type + 1, byType.length * 2));
        }
        byType[type] = value;
        order.add(new int[] {type, values.size()});
        values.add(value);
    }

    public boolean has(int type) {
        return type < byType.length && byType[type] != null;
    }

    /** The value of {@code type} (a duplicate view, position 0), or null when absent. */
    public ByteBuffer get(int type) {
        return has(type) ? byType[type].duplicate().order(ByteOrder.nativeOrder()) : null;
    }

    /** Every value of {@code type}, in message order. */
    public List<ByteBuffer> all(int type) {
        List<ByteBuffer> out = new ArrayList<>();
        for (int[] e : order) {
            if (e[0] == type) {
                out.add(values.get(e[1]).duplicate().order(ByteOrder.nativeOrder()));
            }
        }
        return out;
    }

    private ByteBuffer sized(int type, int size) {
        ByteBuffer v = get(type);
        if (v == null) {
            throw new NetlinkCodecException(context + " attribute " + type + ": missing");
        }
        if (v.remaining() < size) {
            throw new NetlinkCodecException(
                    context + " attribute " + type + ": " + v.remaining() + " bytes (expected: " + size + ")");
        }
        return v;
    }

    public int u8(int type, int dflt) {
        return has(type) ? sized(type, 1).get() & 0xff : dflt;
    }

    public int u16(int type, int dflt) {
        return has(type) ? sized(type, 2).getShort() & 0xffff : dflt;
    }

    public int u32(int type, int dflt) {
        return has(type) ? sized(type, 4).getInt() : dflt;
    }

    /** A NUL-terminated (or unterminated) string; null when absent. */
    public String string(int type) {
        ByteBuffer v = get(type);
        if (v == null) {
            return null;
        }
        int n = 0;
        while (n < v.remaining() && v.get(n) != 0) {
            n++;
        }
        byte[] s = new byte[n];
        v.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    public byte[] bytes(int type) {
        ByteBuffer v = get(type);
        if (v == null) {
            return null;
        }
        byte[] out = new byte[v.remaining()];
        v.get(out);
        return out;
    }

    /** An IPv4 (4 bytes) or IPv6 (16 bytes) address; null when absent. */
    public InetAddress address(int type) {
        byte[] raw = bytes(type);
        return raw == null ? null : toAddress(raw, context + " attribute " + type);
    }

    /** The attributes nested inside {@code type}; empty when absent. */
    public Attrs nested(int type) {
        ByteBuffer v = get(type);
        return v == null ? new Attrs(context + "/" + type) : parse(v, context + "/" + type);
    }

    static InetAddress toAddress(byte[] raw, String what) {
        if (raw.length != 4 && raw.length != 16) {
            throw new NetlinkCodecException(what + ": address of " + raw.length + " bytes (expected: 4 or 16)");
        }
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new NetlinkCodecException(what + ": " + e.getMessage());
        }
    }
}
