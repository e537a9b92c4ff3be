package org.calicojava.netlink;

import static org.calicojava.netlink.codec.Rtnl.NETLINK_GET_STRICT_CHK;
import static org.calicojava.netlink.codec.Rtnl.NLMSG_DONE;
import static org.calicojava.netlink.codec.Rtnl.NLMSG_ERROR;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_DUMP_INTR;
import static org.calicojava.netlink.codec.Rtnl.SOL_NETLINK;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.calicojava.netlink.KernelException.Kind;
import org.calicojava.netlink.codec.MessageWriter;
import org.calicojava.netlink.codec.NlError;
import org.calicojava.netlink.codec.NlMessage;

/**
 * Request/response over one {@link NetlinkSocket}: a request and its ack, a request and its single reply, a dump
 * until NLMSG_DONE. Matches answers by sequence number and skips stale ones. Callers serialize access.
 */
final class Requester implements AutoCloseable {
    static final int ANSWER_TIMEOUT_MS = 30_000;
    private static final int DUMP_ATTEMPTS = 5;

    /** Writes one request with the given sequence number. */
    interface Encoder {
        void write(MessageWriter w, int seq);
    }

    final NetlinkSocket socket;
    private final ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.nativeOrder());
    private final MessageWriter writer = new MessageWriter(out);
    private int seq = (int) (System.nanoTime() & 0x3fffffff);
    private ByteBuffer spareBatchBuffer;

    Requester(NetlinkSocket socket) {
        this.socket = socket;
        socket.buffers(4 * 1024 * 1024);
        socket.receiveTimeout(ANSWER_TIMEOUT_MS);
        socket.trySetInt(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1); // kernel-side dump filters where supported
    }

    /** A 64 KiB direct buffer for a {@link Batch}, reused between batches (direct memory is slow to allocate). */
    synchronized ByteBuffer takeBatchBuffer() {
        ByteBuffer b = spareBatchBuffer;
        spareBatchBuffer = null;
        return b != null ? b.clear() : ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.nativeOrder());
    }

    synchronized void returnBatchBuffer(ByteBuffer b) {
        spareBatchBuffer = b;
    }

    /** Reserves {@code n} consecutive sequence numbers (a transaction's messages); returns the first. */
    int reserveSeqs(int n) {
        if (seq > 0x7fffffff - n - 1) {
            seq = 0;
        }
        int first = seq + 1;
        seq += n;
        return first;
    }

    int nextSeq() {
        seq = (seq + 1) & 0x7fffffff;
        return seq == 0 ? nextSeq() : seq;
    }

    private int send(Encoder e, String what) {
        int s = nextSeq();
        out.clear();
        try {
            e.write(writer, s);
        } catch (BufferOverflowException ex) {
            throw new NetlinkException(what + ": request larger than " + out.capacity() + " bytes");
        }
        socket.send(out, out.position());
        return s;
    }

    /** Receives the next datagram's messages; a timeout is an error (the kernel always answers). */
    List<NlMessage> receive(String what) {
        ByteBuffer d = socket.receive();
        if (d == null) {
            throw new NetlinkException(what + ": no answer from the kernel within " + ANSWER_TIMEOUT_MS / 1000 + " s");
        }
        return NlMessage.split(d);
    }

    /** Sends a request flagged NLM_F_ACK and waits for its ack; a kernel error becomes a {@link KernelException}. */
    void ack(Kind kind, String what, Encoder e) {
        int s = send(e, what);
        while (true) {
            for (NlMessage m : receive(what)) {
                if (m.header().seq() == s && m.header().type() == NLMSG_ERROR) {
                    NlError err = NlError.decode(m);
                    if (err.errno() != 0) {
                        throw KernelException.of(kind, what, err.errno(), err.message());
                    }
                    return;
                }
            }
        }
    }

    /** Sends a request whose answer is one message of type {@code type} (or an error); decodes it. */
    <T> T get(Kind kind, String what, Encoder e, int type, Function<NlMessage, T> decoder) {
        int s = send(e, what);
        while (true) {
            for (NlMessage m : receive(what)) {
                if (m.header().seq() != s) {
                    continue;
                }
                if (m.header().type() == NLMSG_ERROR) {
                    NlError err = NlError.decode(m);
                    throw KernelException.of(kind, what, err.errno(), err.message());
                }
                if (m.header().type() == type) {
                    return decoder.apply(m);
                }
            }
        }
    }

    /**
     * Sends a dump request and collects the decoded messages of type {@code type} (null results skipped) until
     * NLMSG_DONE. A dump the kernel marks inconsistent (NLM_F_DUMP_INTR, a change happened meanwhile) is redone.
     */
    <T> List<T> dump(Kind kind, String what, Encoder e, int type, Function<NlMessage, T> decoder) {
        for (int attempt = 0; attempt < DUMP_ATTEMPTS; attempt++) {
            int s = send(e, what);
            List<T> result = new ArrayList<>();
            boolean interrupted = false;
            boolean done = false;
            while (!done) {
                for (NlMessage m : receive(what)) {
                    if (m.header().seq() != s) {
                        continue;
                    }
                    interrupted |= (m.header().flags() & NLM_F_DUMP_INTR) != 0;
                    int t = m.header().type();
                    if (t == NLMSG_DONE) {
                        int status = m.body().remaining() >= 4 ? m.body().getInt(0) : 0;
                        if (status < 0) {
                            throw KernelException.of(kind, what, -status, null);
                        }
                        done = true;
                        break;
                    } else if (t == NLMSG_ERROR) {
                        NlError err = NlError.decode(m);
                        throw KernelException.of(kind, what, err.errno(), err.message());
                    } else if (t == type) {
                        T v = decoder.apply(m);
                        if (v != null) {
                            result.add(v);
                        }
                    }
                }
            }
            if (!interrupted) {
                return result;
            }
        }
        throw new NetlinkException(what + ": dump interrupted by concurrent changes " + DUMP_ATTEMPTS + " times");
    }

    @Override
    public void close() {
        socket.close();
    }
}
