package org.calicojava.bgp.fuzz;

import java.lang.management.ManagementFactory;
import org.calicojava.bgp.codec.BgpError;
import org.calicojava.bgp.codec.BgpException;
import org.calicojava.bgp.codec.Message;
import org.calicojava.bgp.codec.Notification;
import org.calicojava.bgp.codec.Open;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.RawAttribute;
import org.calicojava.bgp.codec.Update;

/**
 * What a decoded message may hold, given the bytes it came from: every prefix takes at least one byte, every
 * community four, every attribute three, so the counts are bounded by the input length; and the heap a decode
 * allocates is bounded by the input length (a constant per byte plus a constant). A violation is an
 * {@link AssertionError}, which Jazzer reports as a finding.
 */
final class Bounds {
    static final int BYTES_PER_INPUT_BYTE = 64;
    static final long SLACK = 64 * 1024;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Bounds() {}

    static long allocated() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /** How far {@code used} bytes are over the limit for {@code inputLength} bytes (<= 0: within it). */
    static long limit(long used, int inputLength) {
        return used - ((long) BYTES_PER_INPUT_BYTE * inputLength + SLACK);
    }

    /**
     * True in fuzzing mode (JAZZER_FUZZ set): there Jazzer's coverage and comparison instrumentation allocates on the
     * decoder's own thread, so the allocation bound is checked when the inputs it found run as seeds (plain
     * {@code mvn test}, where the hooks are off: {@code junit-platform.properties}); the structural bounds hold in both.
     */
    static final boolean FUZZING = System.getenv("JAZZER_FUZZ") != null
            && !System.getenv("JAZZER_FUZZ").isEmpty();

    /** Runs {@code run} (which returns {@link #limit}) up to {@code times} times; fails if it never was within. */
    static void leastOf(int times, java.util.function.LongSupplier run) {
        if (FUZZING) {
            run.getAsLong();
            return;
        }
        long least = Long.MAX_VALUE;
        for (int i = 0; i < times && least > 0; i++) {
            least = Math.min(least, run.getAsLong());
        }
        if (least > 0) {
            throw new AssertionError("decoding allocated " + least + " bytes more than " + BYTES_PER_INPUT_BYTE
                    + " per input byte + " + SLACK + ", in each of " + times + " runs");
        }
    }

    static void check(BgpException e, int len) {
        BgpError err = e.error();
        if (err.code() < 1 || err.code() > 7) {
            throw new AssertionError("error code " + err.code() + " (expected: 1..7): " + err);
        }
        if (err.data().length > len) {
            throw new AssertionError("error data of " + err.data().length + " bytes from " + len + " bytes");
        }
    }

    static void check(Message m, int len) {
        if (m instanceof Update u) {
            update(u, len);
        } else if (m instanceof Notification n) {
            if (n.error().data().length > len) {
                throw new AssertionError("NOTIFICATION data of " + n.error().data().length + " bytes from " + len);
            }
        } else if (m instanceof Open o) {
            at("OPEN capabilities text", o.toString().length(), 64L * len + 1024);
        }
    }

    private static void update(Update u, int len) {
        long prefixes = (long) u.withdrawn().size()
                + u.nlri().size()
                + (u.mpReach() == null ? 0 : u.mpReach().nlri().size())
                + (u.mpUnreach() == null ? 0 : u.mpUnreach().nlri().size());
        at("prefixes", prefixes, len);
        if (u.mpReach() != null) {
            at("MP_REACH next hop bytes", u.mpReach().nextHop().length, len);
        }
        if (u.error() != null) {
            at("RFC 7606 error data", u.error().data().length, len);
        }
        PathAttributes a = u.attributes();
        if (a == null) {
            return;
        }
        at("AS path length", a.asPath() == null ? 0 : a.asPath().length(), len);
        at("community bytes", 4L * length(a.communities()), len);
        at("cluster list bytes", 4L * length(a.clusterList()), len);
        at("extended community bytes", a.extCommunities() == null ? 0 : 8L * a.extCommunities().length, len);
        at("large community bytes", 4L * length(a.largeCommunities()), len);
        long unknown = 0;
        for (RawAttribute r : a.unknown()) {
            unknown += 3 + r.value().length;
        }
        at("unknown attribute bytes", unknown, len);
    }

    private static int length(int[] a) {
        return a == null ? 0 : a.length;
    }

    private static void at(String what, long n, long max) {
        if (n > max) {
            throw new AssertionError(what + ": " + n + " from " + max + " input bytes");
        }
    }
}
