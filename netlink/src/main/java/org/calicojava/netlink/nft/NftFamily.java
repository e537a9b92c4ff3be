package org.calicojava.netlink.nft;

/** The nftables families calico-java uses, as NFPROTO_* numbers (nfgenmsg.nfgen_family). */
public enum NftFamily {
    INET(1, "inet"),
    IP(2, "ip"),
    IP6(10, "ip6");

    public final int code;
    public final String keyword;

    NftFamily(int code, String keyword) {
        this.code = code;
        this.keyword = keyword;
    }
}
