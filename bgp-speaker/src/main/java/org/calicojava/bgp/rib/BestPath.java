package org.calicojava.bgp.rib;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.calicojava.bgp.codec.AsPath;

/**
 * RFC 4271 9.1.2.2 (with RFC 4456) as an ordered list of small comparators, each naming its reason. A negative result
 * means the first path is better.
 */
final class BestPath {
    record Step(String reason, Comparator<Path> cmp) {}

    /** The first this many steps decide multipath equality: everything before the router id (index 6). */
    static final int MULTIPATH_STEPS = 6;

    private final List<Step> steps;

    BestPath(boolean alwaysCompareMed) {
        steps = List.of(
                new Step("higher local preference", Comparator.comparingLong(p -> -p.localPref())),
                new Step("locally originated", Comparator.comparingInt(p -> p.local() ? 0 : 1)),
                new Step(
                        "shorter AS path",
                        Comparator.comparingInt(p -> asPath(p).length())),
                new Step("lower origin", Comparator.comparingInt(p -> Math.max(0, p.attrs.origin()))),
                new Step(
                        "lower MED",
                        (a, b) -> alwaysCompareMed || neighbourAs(a) == neighbourAs(b)
                                ? Long.compare(med(a), med(b))
                                : 0),
                new Step("eBGP over iBGP", Comparator.comparingInt(p -> p.from != null && !p.from.ibgp ? 0 : 1)),
                new Step("lower router id", (a, b) -> Long.compareUnsigned(routerId(a), routerId(b))),
                new Step(
                        "shorter cluster list",
                        Comparator.comparingInt(p -> p.attrs.clusterList() == null ? 0 : p.attrs.clusterList().length)),
                new Step("lower peer address", (a, b) -> Arrays.compare(address(a), address(b))));
    }

    int compare(Path a, Path b) {
        for (Step s : steps) {
            int c = s.cmp.compare(a, b);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** Whether the two paths tie up to the router id step (multipath). */
    boolean equalForMultipath(Path a, Path b) {
        for (int i = 0; i < MULTIPATH_STEPS; i++) {
            if (steps.get(i).cmp.compare(a, b) != 0) {
                return false;
            }
        }
        return true;
    }

    /** The reason {@code best} wins over {@code other}, e.g. "lower MED". */
    String reason(Path best, Path other) {
        for (Step s : steps) {
            if (s.cmp.compare(best, other) != 0) {
                return s.reason;
            }
        }
        return "equal";
    }

    /** The best usable path among {@code paths}, or null. */
    Path select(Path[] paths) {
        Path best = null;
        for (Path p : paths) {
            if (p.attrs != null && (best == null || compare(p, best) < 0)) {
                best = p;
            }
        }
        return best;
    }

    private static AsPath asPath(Path p) {
        return p.attrs.asPath() == null ? AsPath.EMPTY : p.attrs.asPath();
    }

    private static long neighbourAs(Path p) {
        AsPath a = asPath(p);
        return a.isEmpty() ? 0 : a.firstAs();
    }

    private static long med(Path p) {
        return Math.max(0, p.attrs.med());
    }

    private static long routerId(Path p) {
        if (p.attrs.originatorId() >= 0) {
            return p.attrs.originatorId();
        }
        return p.from == null ? 0 : p.from.routerId & 0xffffffffL;
    }

    private static byte[] address(Path p) {
        if (p.from == null) {
            return new byte[0];
        }
        byte[] b = p.from.address.getAddress();
        for (int i = 0; i < b.length; i++) {
            b[i] ^= (byte) 0x80; // unsigned order with Arrays.compare
        }
        return b;
    }
}
