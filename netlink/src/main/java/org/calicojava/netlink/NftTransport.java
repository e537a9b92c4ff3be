package org.calicojava.netlink;

import static org.calicojava.netlink.codec.Rtnl.NLMSG_ERROR;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_REQUEST;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.calicojava.netlink.codec.Attrs;
import org.calicojava.netlink.codec.MessageWriter;
import org.calicojava.netlink.codec.NlError;
import org.calicojava.netlink.codec.NlMessage;
import org.calicojava.netlink.nft.NftBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends an {@link NftBatch} as one datagram (the kernel runs a transaction from one datagram only, so the socket's
 * send buffer is grown to hold it, as nft does) and collects the answers. nfnetlink handles the whole batch inside
 * the sendmsg call and queues every answer (acks, errors, echoed rules) before it returns, so a GETGEN sent next is
 * a fence: what arrives before its reply is everything the transaction produced. The receive buffer is grown to hold
 * one answer per message so none is dropped.
 */
final class NftTransport {
    private static final Logger LOG = LoggerFactory.getLogger(NftTransport.class);
    private static final int MIN_BUFFER = 4 * 1024 * 1024;
    /** Receive-buffer bytes reserved per message (an ack skb's truesize is well under 1 KiB). */
    private static final int PER_ANSWER = 1024;

    private final Requester requester;
    private int bufferBytes = MIN_BUFFER;

    NftTransport(Requester requester) {
        this.requester = requester;
    }

    NftCommit commit(NftBatch batch) {
        ByteBuffer d = batch.datagram();
        int n = batch.size();
        int base = requester.reserveSeqs(n + 3); // BEGIN, messages, END, fence
        renumber(d, base);
        int need = Math.max(d.limit() + 64 * 1024, (n + 16) * PER_ANSWER * 2);
        if (need > bufferBytes) {
            bufferBytes = need;
            requester.socket.buffers(need);
        }
        ByteBuffer direct = d;
        if (!d.isDirect()) {
            direct = ByteBuffer.allocateDirect(d.limit()).put(d.duplicate()).flip();
        }
        requester.socket.send(direct, direct.limit());
        int fence = base + n + 2;
        ByteBuffer fenceMsg = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
        MessageWriter w = new MessageWriter(fenceMsg);
        w.begin(NfTables.SUBSYS | NfTables.GETGEN, NLM_F_REQUEST, fence);
        w.buffer().putInt(0);
        w.end();
        requester.socket.send(fenceMsg, fenceMsg.position());
        return collect(batch, base, fence);
    }

    private NftCommit collect(NftBatch batch, int base, int fence) {
        int n = batch.size();
        long[] handles = new long[n];
        Arrays.fill(handles, -1);
        List<BatchException.Failure> failures = new ArrayList<>();
        int acked = 0;
        try {
            while (true) {
                for (NlMessage m : requester.receive("nftables transaction of " + n + " messages")) {
                    int seq = m.header().seq();
                    int type = m.header().type();
                    if (seq == fence) {
                        if (type == NLMSG_ERROR) {
                            NlError e = NlError.decode(m);
                            throw KernelException.of(
                                    KernelException.Kind.OTHER, "get nftables generation", e.errno(), e.message());
                        }
                        if (type == (NfTables.SUBSYS | NfTables.NEWGEN)) {
                            long gen = NfTables.decodeGeneration(m);
                            return finish(batch, handles, failures, acked, gen);
                        }
                        continue;
                    }
                    int index = seq - base - 1; // BEGIN is -1
                    if (index < -1 || index >= n) {
                        continue; // stale
                    }
                    if (type == NLMSG_ERROR) {
                        NlError e = NlError.decode(m);
                        if (e.errno() == 0) {
                            acked++;
                        } else {
                            String what = index < 0 ? "commit nftables transaction" : batch.describe(index);
                            failures.add(new BatchException.Failure(
                                    index,
                                    what,
                                    KernelException.of(KernelException.Kind.OTHER, what, e.errno(), e.message()),
                                    index >= 0 && e.offset() >= 0 ? batch.attributeAt(index, e.offset()) : -1));
                        }
                    } else if (type == (NfTables.SUBSYS | NfTables.NEWRULE) && index >= 0) {
                        ByteBuffer h = Attrs.parse(m.body().duplicate().position(4), "echoed rule")
                                .get(3);
                        if (h != null && h.remaining() >= 8) {
                            handles[index] = h.order(ByteOrder.BIG_ENDIAN).getLong(0);
                        }
                    }
                }
            }
        } catch (NetlinkSocket.OverrunException e) {
            throw new NetlinkException(
                    "nftables transaction of " + n + " messages: answers lost (ENOBUFS), outcome unknown: compare the"
                            + " generation",
                    e);
        }
    }

    private static NftCommit finish(
            NftBatch batch, long[] handles, List<BatchException.Failure> failures, int acked, long gen) {
        if (!failures.isEmpty()) {
            throw new NftTransactionException(batch.size(), failures);
        }
        if (batch.acks() && acked != batch.size()) {
            LOG.warn("nftables transaction: {} acks for {} messages", acked, batch.size());
        }
        return new NftCommit(gen, handles);
    }

    /** Sets each message's sequence number to {@code base} + its position (BEGIN = base). */
    private static void renumber(ByteBuffer d, int base) {
        int off = 0;
        int k = 0;
        while (off + 16 <= d.limit()) {
            int len = d.getInt(off);
            d.putInt(off + 8, base + k++);
            off += (len + 3) & ~3;
        }
    }
}
