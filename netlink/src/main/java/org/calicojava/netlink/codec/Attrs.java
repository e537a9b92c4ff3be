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
 *
 * <p>Parsing makes one index of (type, offset, length) triples into the region; a value becomes a buffer only when
 * it is asked for, and the number getters read it in place (a dump of 20,000 links has about a million attributes).
 */
public final class Attrs {
    private static final int TYPE_MASK = 0x3fff;
    private static final int[] NONE = {};
    private final String context;
    /** The parsed region, position 0, in host byte order; null when there is none. */
    private final ByteBuffer region;
    /** Per attribute in message order: type, offset of its value in {@link #region}, length of its value. */
    private int[] index = NONE;

    private int count;
    /** Per type: 1 + the number of its last occurrence in {@link #index}; 0 when absent. */
    private int[] byType = NONE;

    private Attrs(String context, ByteBuffer region) {
        this.context = context;
        this.region = region;
    }

    /** Parses attributes from position to limit of {@code region}; {@code context} names them in errors. */
    public static Attrs parse(ByteBuffer region, String context) {
        ByteBuffer b = region.slice().order(ByteOrder.nativeOrder());
        Attrs attrs = new Attrs(context, b);
        int end = b.limit();
        attrs.index = new int[3 * Math.max(4, end / 24)]; // about the mean size of a link's attributes
        int at = 0;
        while (at < end) {
            if (end - at < 4) {
                throw new NetlinkCodecException(context + " rtattr header: " + (end - at) + " bytes (expected: >= 4)");
            }
            int len = b.getShort(at) & 0xffff;
            int type = b.getShort(at + 2) & 0xffff & TYPE_MASK;
            if (len < 4 || len > end - at) {
                throw new NetlinkCodecException(
                        context + " attribute " + type + ": length " + len + " (expected: 4.." + (end - at) + ")");
            }
            attrs.add(type, at + 4, len - 4);
            at = Math.min(end, at + Rtnl.align(len));
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

    /**
     * The type of the attribute in {@code region} (position to limit) that holds byte {@code offset} of it, counted
     * from position (its header, value or padding), found as {@link #find} walks; -1 when none does. A malformed length
     * ends the walk.
     */
    public static int typeAt(ByteBuffer region, int offset) {
        int at = region.position();
        int end = region.limit();
        int target = at + offset;
        while (end - at >= 4 && target >= at) {
            int len = region.getShort(at) & 0xffff;
            if (len < 4 || len > end - at) {
                return -1;
            }
            if (target < at + Rtnl.align(len)) {
                return region.getShort(at + 2) & TYPE_MASK;
            }
            at += Rtnl.align(len);
        }
        return -1;
    }

    private void add(int type, int offset, int length) {
        if (3 * count + 3 > index.length) {
            index = Arrays.copyOf(index, index.length * 2);
        }
        index[3 * count] = type;
        index[3 * count + 1] = offset;
        index[3 * count + 2] = length;
        count++;
        if (type >= byType.length) {
            byType = Arrays.copyOf(byType, Math.max(type + 1, Math.max(16, byType.length * 2)));
        }
        byType[type] = count;
    }

    /** The number of {@code type}'s last occurrence in {@link #index}; -1 when absent. */
    private int last(int type) {
        return type >= 0 && type < byType.length ? byType[type] - 1 : -1;
    }

    private ByteBuffer value(int i) {
        return region.slice(index[3 * i + 1], index[3 * i + 2]).order(ByteOrder.nativeOrder());
    }

    public boolean has(int type) {
        return last(type) >= 0;
    }

    /** The value of {@code type} (a view of its own, position 0), or null when absent. */
    public ByteBuffer get(int type) {
        int i = last(type);
        return i < 0 ? null : value(i);
    }

    /** Every value of {@code type}, in message order. */
    public List<ByteBuffer> all(int type) {
        List<ByteBuffer> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (index[3 * i] == type) {
                out.add(value(i));
            }
        }
        return out;
    }

    /** Where the value of {@code type} starts in {@link #region}, after checking it has {@code size} bytes. */
    private int sized(int type, int size) {
        int i = last(type);
        if (i < 0) {
            throw new NetlinkCodecException(context + " attribute " + type + ": missing");
        }
        int length = index[3 * i + 2];
        if (length < size) {
            throw new NetlinkCodecException(
                    context + " attribute " + type + ": " + length + " bytes (expected: " + size + ")");
        }
        return index[3 * i + 1];
    }

    public int u8(int type, int dflt) {
        return has(type) ? region.get(sized(type, 1)) & 0xff : dflt;
    }

    public int u16(int type, int dflt) {
        return has(type) ? region.getShort(sized(type, 2)) & 0xffff : dflt;
    }

    public int u32(int type, int dflt) {
        return has(type) ? region.getInt(sized(type, 4)) : dflt;
    }

    /** A NUL-terminated (or unterminated) string; null when absent. */
    public String string(int type) {
        int i = last(type);
        if (i < 0) {
            return null;
        }
        int at = index[3 * i + 1];
        int end = at + index[3 * i + 2];
        int n = 0;
        while (at + n < end && region.get(at + n) != 0) {
            n++;
        }
        byte[] s = new byte[n];
        region.get(at, s);
        return new String(s, StandardCharsets.UTF_8);
    }

    public byte[] bytes(int type) {
        int i = last(type);
        if (i < 0) {
            return null;
        }
        byte[] out = new byte[index[3 * i + 2]];
        region.get(index[3 * i + 1], out);
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
        return v == null ? new Attrs(context + "/" + type, null) : parse(v, context + "/" + type);
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
