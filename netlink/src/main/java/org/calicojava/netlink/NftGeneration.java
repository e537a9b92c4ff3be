package org.calicojava.netlink;

import static org.calicojava.netlink.codec.Rtnl.NLM_F_REQUEST;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.calicojava.netlink.codec.Attrs;
import org.calicojava.netlink.codec.NlMessage;

/**
 * The nftables generation of a network namespace ({@code NFT_MSG_GETGEN} over NETLINK_NETFILTER). The kernel
 * increments it once for every committed nftables transaction in the namespace, whoever sends it ({@code nft},
 * iptables-nft, any other program), so while it stays the same no nftables table of the namespace has changed.
 * The socket stays in the namespace of the thread that opened it; {@link #current} may be called from any thread.
 */
public final class NftGeneration implements AutoCloseable {
    static final int NETLINK_NETFILTER = 12;
    static final int NFNL_SUBSYS_NFTABLES = 10;
    static final int NFT_MSG_NEWGEN = 15;
    static final int NFT_MSG_GETGEN = 16;
    static final int NFTA_GEN_ID = 1;
    private final Requester requester;

    private NftGeneration(Requester requester) {
        this.requester = requester;
    }

    /** Opens a socket in the calling thread's network namespace (see {@link NetNs#run} for another one). */
    public static NftGeneration open() {
        NetlinkSocket s = new NetlinkSocket(NETLINK_NETFILTER, 0);
        try {
            return new NftGeneration(new Requester(s));
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** The current generation (an unsigned 32-bit counter). */
    public synchronized long current() {
        return requester.get(KernelException.Kind.OTHER, "get nftables generation", (w, seq) -> {
            w.begin(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETGEN, NLM_F_REQUEST, seq);
            w.buffer().put((byte) 0).put((byte) 0).putShort((short) 0); // nfgenmsg: AF_UNSPEC, version 0, res_id 0
            w.end();
        }, NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWGEN, NftGeneration::decode);
    }

    static long decode(NlMessage m) {
        ByteBuffer body = m.body().duplicate();
        if (body.remaining() < 4) {
            throw new NetlinkCodecException("nftables generation: " + body.remaining() + " bytes (expected: >= 4)");
        }
        body.position(4); // nfgenmsg
        ByteBuffer id = Attrs.parse(body, "nftables generation").get(NFTA_GEN_ID);
        if (id == null || id.remaining() < 4) {
            throw new NetlinkCodecException("nftables generation: no NFTA_GEN_ID");
        }
        return Integer.toUnsignedLong(id.order(ByteOrder.BIG_ENDIAN).getInt(0));
    }

    @Override
    public synchronized void close() {
        requester.close();
    }
}
