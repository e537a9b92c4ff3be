package org.calicojava.bgp.policy;

import java.util.List;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Prefix;

/**
 * The match part of a policy term; every given condition must hold (an empty match matches everything).
 *
 * @param prefixes   any of these prefix ranges (empty: any prefix)
 * @param communities all of these communities ({@code asn << 16 | value}) must be present
 * @param asPathContains an AS that must appear in the AS_PATH, or -1
 * @param nextHop    IPv4 NEXT_HOP as int that must match, or null
 * @param origin     ORIGIN value 0..2, or -1
 * @param source     route source, or null
 * @param largeCommunities all of these large communities (RFC 8092, {@code {global, local1, local2}}) must be present
 */
public record Match(
        List<PrefixRange> prefixes,
        List<Integer> communities,
        long asPathContains,
        Integer nextHop,
        int origin,
        RouteSource source,
        List<int[]> largeCommunities) {
    public static final Match ANY = new Match(List.of(), List.of(), -1, null, -1, null);

    public Match {
        prefixes = List.copyOf(prefixes);
        communities = List.copyOf(communities);
        largeCommunities = List.copyOf(largeCommunities);
        for (int[] l : largeCommunities) {
            if (l.length != 3) {
                throw new IllegalArgumentException("large community: " + l.length + " numbers (expected: 3)");
            }
        }
    }

    public Match(
            List<PrefixRange> prefixes,
            List<Integer> communities,
            long asPathContains,
            Integer nextHop,
            int origin,
            RouteSource source) {
        this(prefixes, communities, asPathContains, nextHop, origin, source, List.of());
    }

    public boolean matches(Prefix p, PathAttributes a, RouteSource src) {
        if (source != null && source != src) {
            return false;
        }
        if (origin >= 0 && a.origin() != origin) {
            return false;
        }
        if (nextHop != null && (!a.hasNextHop() || a.nextHop() != nextHop)) {
            return false;
        }
        if (asPathContains >= 0 && (a.asPath() == null || !a.asPath().contains(asPathContains))) {
            return false;
        }
        if (!communities.isEmpty()) {
            int[] have = a.communities();
            if (have == null) {
                return false;
            }
            for (int c : communities) {
                boolean found = false;
                for (int h : have)
                    if (h == c) {
                        found = true;
                        break;
                    }
                if (!found) {
                    return false;
                }
            }
        }
        if (!largeCommunities.isEmpty()) {
            int[] have = a.largeCommunities();
            if (have == null) {
                return false;
            }
            for (int[] l : largeCommunities) {
                boolean found = false;
                for (int i = 0; i + 2 < have.length; i += 3)
                    if (have[i] == l[0] && have[i + 1] == l[1] && have[i + 2] == l[2]) {
                        found = true;
                        break;
                    }
                if (!found) {
                    return false;
                }
            }
        }
        if (prefixes.isEmpty()) {
            return true;
        }
        for (PrefixRange r : prefixes) {
            if (r.matches(p)) {
                return true;
            }
        }
        return false;
    }

    /** True when the outcome can differ between prefixes with the same attributes. */
    public boolean dependsOnPrefix() {
        return !prefixes.isEmpty();
    }
}
