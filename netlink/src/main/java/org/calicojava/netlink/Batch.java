package org.calicojava.netlink;

import static org.calicojava.netlink.codec.Rtnl.NLMSG_ERROR;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_ACK;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_CREATE;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_EXCL;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_REPLACE;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_REQUEST;
import static org.calicojava.netlink.codec.Rtnl.RTM_DELADDR;
import static org.calicojava.netlink.codec.Rtnl.RTM_DELROUTE;
import static org.calicojava.netlink.codec.Rtnl.RTM_NEWADDR;
import static org.calicojava.netlink.codec.Rtnl.RTM_NEWROUTE;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.calicojava.netlink.KernelException.Kind;
import org.calicojava.netlink.codec.MessageWriter;
import org.calicojava.netlink.codec.NlError;
import org.calicojava.netlink.codec.NlMessage;

/**
 * Many route/address changes without a round trip each. Requests (each flagged NLM_F_ACK, with its own sequence
 * number) are packed into one datagram of up to 64 KiB or {@value #MAX_IN_FLIGHT} requests; when it is full it is
 * sent and its acks are collected, so memory stays flat however many requests go through. Each error is mapped back
 * to the request that caused it; {@link #finish()} throws a {@link BatchException} listing them.
 *
 * <pre>{@code
 * try (Batch b = netlink.batch()) {
 *     routes.forEach(b::addRoute);
 * } // close() = finish(): sends the rest, throws BatchException if any request failed
 * }</pre>
 *
 * Owned by one thread; it shares the {@link Netlink}'s socket, locking it while a datagram is in flight.
 */
public final class Batch implements AutoCloseable {
    static final int MAX_IN_FLIGHT = 1024;
    private static final int MAX_FAILURES_KEPT = 1000;
    private final Netlink owner;
    private final Requester requester;
    private final ByteBuffer out;
    private final MessageWriter writer;
    private final int[] seqs = new int[MAX_IN_FLIGHT];
    private final Object[] requests = new Object[MAX_IN_FLIGHT];
    private final String[] verbs = new String[MAX_IN_FLIGHT];
    private final Kind[] kinds = new Kind[MAX_IN_FLIGHT];
    private final List<BatchException.Failure> failures = new ArrayList<>();
    private int pending;
    private long submitted;
    private long failed;
    private boolean finished;
    private NetlinkException aborted;

    Batch(Netlink owner, Requester requester) {
        this.owner = owner;
        this.requester = requester;
        this.out = requester.takeBatchBuffer();
        this.writer = new MessageWriter(out);
    }

    public Batch addRoute(Route r) {
        return enqueue(
                Kind.ROUTE,
                "add route",
                r,
                (w, s) -> RouteCodec.encode(
                        w, RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, s, r));
    }

    public Batch replaceRoute(Route r) {
        return enqueue(
                Kind.ROUTE,
                "replace route",
                r,
                (w, s) -> RouteCodec.encode(
                        w, RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, s, r));
    }

    public Batch deleteRoute(Route r) {
        return enqueue(
                Kind.ROUTE,
                "delete route",
                r,
                (w, s) -> RouteCodec.encode(w, RTM_DELROUTE, NLM_F_REQUEST | NLM_F_ACK, s, r));
    }

    public Batch addAddress(Address a) {
        return enqueue(
                Kind.ADDRESS,
                "add address",
                a,
                (w, s) -> AddressCodec.encode(
                        w, RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, s, a));
    }

    public Batch deleteAddress(Address a) {
        return enqueue(
                Kind.ADDRESS,
                "delete address",
                a,
                (w, s) -> AddressCodec.encode(w, RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, s, a));
    }

    /** Requests handed to this batch so far. */
    public long submitted() {
        return submitted;
    }

    private Batch enqueue(Kind kind, String verb, Object request, Requester.Encoder encoder) {
        if (finished) {
            throw new IllegalStateException("batch: already finished");
        }
        int seq;
        synchronized (owner) {
            seq = requester.nextSeq();
        }
        try {
            encoder.write(writer, seq);
        } catch (BufferOverflowException e) {
            writer.rollback();
            if (pending == 0) {
                throw new NetlinkException(verb + " " + request + ": request larger than " + out.capacity() + " bytes");
            }
            flush();
            encoder.write(writer, seq);
        }
        seqs[pending] = seq;
        requests[pending] = request;
        verbs[pending] = verb;
        kinds[pending] = kind;
        pending++;
        submitted++;
        if (pending == MAX_IN_FLIGHT) {
            flush();
        }
        return this;
    }

    /** Sends what is queued and collects its acks (the kernel handles a datagram's requests in order). */
    public void flush() {
        if (pending == 0) {
            return;
        }
        try {
            sendAndCollect();
        } catch (RuntimeException e) {
            finished = true; // acks are lost: the outcome of the in-flight requests is unknown
            aborted = new NetlinkException(
                    "batch: " + pending + " requests in flight, outcome unknown: " + e.getMessage(), e);
            throw aborted;
        }
        out.clear();
        java.util.Arrays.fill(requests, 0, pending, null);
        pending = 0;
    }

    private void sendAndCollect() {
        synchronized (owner) {
            requester.socket.send(out, out.position());
            int acked = 0;
            int next = 0;
            while (acked < pending) {
                for (NlMessage m : requester.receive("batch of " + pending + " requests")) {
                    if (m.header().type() != NLMSG_ERROR) {
                        continue;
                    }
                    int slot = slotOf(m.header().seq(), next);
                    if (slot < 0) {
                        continue; // a stale answer to something else
                    }
                    next = slot + 1;
                    acked++;
                    NlError err = NlError.decode(m);
                    if (err.errno() != 0) {
                        recordFailure(slot, err);
                    }
                }
            }
        }
    }

    private int slotOf(int seq, int expected) {
        if (expected < pending && seqs[expected] == seq) {
            return expected;
        }
        for (int i = 0; i < pending; i++) {
            if (seqs[i] == seq) {
                return i;
            }
        }
        return -1;
    }

    private void recordFailure(int slot, NlError err) {
        failed++;
        if (failures.size() < MAX_FAILURES_KEPT) {
            long index = submitted - pending + slot;
            String what = verbs[slot] + " " + requests[slot];
            failures.add(new BatchException.Failure(
                    index, requests[slot], KernelException.of(kinds[slot], what, err.errno(), err.message())));
        }
    }

    /**
     * Sends the rest and collects all acks. Returns the number of requests the kernel applied; throws
     * {@link BatchException} when any failed (the others are applied: the kernel has no transactions).
     */
    public long finish() {
        if (aborted != null) {
            throw aborted;
        }
        if (!finished) {
            flush();
            finished = true;
            requester.returnBatchBuffer(out);
        }
        if (failed > 0) {
            throw new BatchException(submitted, failed, List.copyOf(failures));
        }
        return submitted;
    }

    /** Same as {@link #finish()}. */
    @Override
    public void close() {
        finish();
    }
}
