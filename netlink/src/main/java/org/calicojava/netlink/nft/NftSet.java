package org.calicojava.netlink.nft;

import java.io.ByteArrayOutputStream;
import java.util.Objects;

/**
 * A set or map as NFT_MSG_NEWSET describes it. {@code keyType}/{@code dataType} are nft's datatype numbers (what
 * {@code nft list} prints as {@code type ipv4_addr : verdict}); {@code id} names it inside the transaction that
 * creates it (rules and elements in the same batch refer to it by name and id). {@code name} {@code "__set%d"} with
 * {@link #ANONYMOUS} asks the kernel to number an anonymous set (a rule's {@code { 80, 443 }}). {@code userData} is
 * the NFTA_SET_USERDATA nft keeps (key byte order etc.; see {@link #userData}), {@code size} the NFTA_SET_DESC size
 * (0 = none).
 */
public record NftSet(
        String name, int flags, int keyType, int keyLen, int dataType, int dataLen, int id, int size, Bytes userData) {
    public static final int ANONYMOUS = 0x1;
    public static final int CONSTANT = 0x2;
    public static final int INTERVAL = 0x4;
    public static final int MAP = 0x8;
    /** NFT_DATA_VERDICT: the data type of a verdict map. */
    public static final int VERDICT = 0xffffff00;

    public static final int TYPE_MARK = 19;
    public static final int TYPE_IPV4 = 7;
    public static final int TYPE_IPV6 = 8;
    public static final int TYPE_INET_SERVICE = 13;
    public static final int TYPE_IFNAME = 41;
    /** nft's byte orders in set user data. */
    public static final int HOST_ENDIAN = 1;

    public static final int BIG_ENDIAN = 2;

    public NftSet {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.length() > 255) {
            throw new IllegalArgumentException("set name of " + name.length() + " characters (expected: 1..255)");
        }
    }

    /** A named set of addresses/ports/...: as {@code nft add set T S { type ...; [flags interval;] }}. */
    public static NftSet of(String name, int keyType, int keyLen, boolean interval, int keyByteOrder, int id) {
        return new NftSet(
                name, interval ? INTERVAL : 0, keyType, keyLen, 0, 0, id, 0, userData(keyByteOrder, -1, false));
    }

    /** A verdict map {@code type KEY : verdict}. */
    public static NftSet verdictMap(String name, int keyType, int keyLen, int keyByteOrder, int id) {
        return new NftSet(name, MAP, keyType, keyLen, VERDICT, 0, id, 0, userData(keyByteOrder, 0, true));
    }

    /**
     * An anonymous constant set (a rule's {@code { 80, 443 }}) of {@code size} elements; {@code typeof} is nft's
     * KEY_TYPEOF user data (the expression that made it; may be null). An interval one also carries nft's
     * MERGE_ELEMENTS (nft merges the adjacent ranges of an anonymous set).
     */
    public static NftSet anonymous(int keyType, int keyLen, int size, boolean interval, int id, Bytes typeof) {
        ByteArrayOutputStream u = new ByteArrayOutputStream();
        u.writeBytes(userData(BIG_ENDIAN, -1, false).toArray());
        if (interval) {
            tlv(u, 2, 1); // NFTNL_UDATA_SET_MERGE_ELEMENTS
        }
        if (typeof != null) {
            u.write(3); // NFTNL_UDATA_SET_KEY_TYPEOF
            u.write(typeof.length());
            u.writeBytes(typeof.toArray());
        }
        int flags = ANONYMOUS | CONSTANT | (interval ? INTERVAL : 0);
        return new NftSet("__set%d", flags, keyType, keyLen, 0, 0, id, size, Bytes.of(u.toByteArray()));
    }

    /** nft's set user data: key byte order, for maps data byte order and the data-interval flag (TLVs, host u32). */
    public static Bytes userData(int keyByteOrder, int dataByteOrder, boolean dataInterval) {
        ByteArrayOutputStream u = new ByteArrayOutputStream();
        tlv(u, 0, keyByteOrder);
        if (dataByteOrder >= 0) {
            tlv(u, 1, dataByteOrder);
        }
        if (dataInterval) {
            tlv(u, 6, 0);
        }
        return Bytes.of(u.toByteArray());
    }

    private static void tlv(ByteArrayOutputStream u, int type, int v) {
        u.write(type);
        u.write(4);
        u.writeBytes(Bytes.host32(v).toArray());
    }

    public boolean isMap() {
        return (flags & MAP) != 0;
    }
}
