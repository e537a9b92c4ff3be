package org.calicojava.bgp.codec;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The path attributes of one UPDATE, decoded once and shared by all its prefixes (immutable, with value equality and a
 * cached hash, so a RIB can intern identical sets). MP_REACH/MP_UNREACH are not here: they belong to {@link Update}.
 * Absent numeric attributes are -1; absent lists are null.
 */
public final class PathAttributes {
    public static final int ORIGIN_IGP = 0, ORIGIN_EGP = 1, ORIGIN_INCOMPLETE = 2;

    final int origin;
    final AsPath asPath;
    final boolean hasNextHop;
    final int nextHop;
    final long med, localPref;
    final boolean atomicAggregate;
    final Aggregator aggregator;
    final int[] communities;
    final long originatorId;
    final int[] clusterList;
    final long[] extCommunities;
    final int[] largeCommunities;
    final RawAttribute[] unknown;
    private final int hash;

    private PathAttributes(Builder b) {
        origin = b.origin;
        asPath = b.asPath;
        hasNextHop = b.hasNextHop;
        nextHop = b.nextHop;
        med = b.med;
        localPref = b.localPref;
        atomicAggregate = b.atomicAggregate;
        aggregator = b.aggregator;
        communities = b.communities;
        originatorId = b.originatorId;
        clusterList = b.clusterList;
        extCommunities = b.extCommunities;
        largeCommunities = b.largeCommunities;
        unknown = b.unknown;
        int h = Objects.hash(
                origin, asPath, hasNextHop, nextHop, med, localPref, atomicAggregate, aggregator, originatorId);
        h = h * 31 + Arrays.hashCode(communities);
        h = h * 31 + Arrays.hashCode(clusterList);
        h = h * 31 + Arrays.hashCode(extCommunities);
        h = h * 31 + Arrays.hashCode(largeCommunities);
        hash = h * 31 + Arrays.hashCode(unknown);
    }

    /** No attributes at all. */
    public static final PathAttributes EMPTY = new Builder().build();

    public static Builder builder() {
        return new Builder();
    }

    public boolean isEmpty() {
        return equals(EMPTY);
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.origin = origin;
        b.asPath = asPath;
        b.hasNextHop = hasNextHop;
        b.nextHop = nextHop;
        b.med = med;
        b.localPref = localPref;
        b.atomicAggregate = atomicAggregate;
        b.aggregator = aggregator;
        b.communities = communities;
        b.originatorId = originatorId;
        b.clusterList = clusterList;
        b.extCommunities = extCommunities;
        b.largeCommunities = largeCommunities;
        b.unknown = unknown;
        return b;
    }

    /** ORIGIN 0 IGP, 1 EGP, 2 INCOMPLETE; -1 absent. */
    public int origin() {
        return origin;
    }

    /** AS_PATH (4-octet ASNs, AS4_PATH already merged), null when absent. */
    public AsPath asPath() {
        return asPath;
    }

    public boolean hasNextHop() {
        return hasNextHop;
    }

    /** IPv4 NEXT_HOP as an int. */
    public int nextHop() {
        return nextHop;
    }

    public long med() {
        return med;
    }

    public long localPref() {
        return localPref;
    }

    public boolean atomicAggregate() {
        return atomicAggregate;
    }

    public Aggregator aggregator() {
        return aggregator;
    }

    /** COMMUNITIES as ints (asn << 16 | value), null when absent. */
    public int[] communities() {
        return communities == null ? null : communities.clone();
    }

    public long originatorId() {
        return originatorId;
    }

    public int[] clusterList() {
        return clusterList == null ? null : clusterList.clone();
    }

    public long[] extCommunities() {
        return extCommunities == null ? null : extCommunities.clone();
    }

    /** LARGE_COMMUNITY as (global, local1, local2) triples, null when absent. */
    public int[] largeCommunities() {
        return largeCommunities == null ? null : largeCommunities.clone();
    }

    public List<RawAttribute> unknown() {
        return unknown == null ? List.of() : List.of(unknown);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof PathAttributes p
                && p.hash == hash
                && p.origin == origin
                && Objects.equals(p.asPath, asPath)
                && p.hasNextHop == hasNextHop
                && p.nextHop == nextHop
                && p.med == med
                && p.localPref == localPref
                && p.atomicAggregate == atomicAggregate
                && Objects.equals(p.aggregator, aggregator)
                && Arrays.equals(p.communities, communities)
                && p.originatorId == originatorId
                && Arrays.equals(p.clusterList, clusterList)
                && Arrays.equals(p.extCommunities, extCommunities)
                && Arrays.equals(p.largeCommunities, largeCommunities)
                && Arrays.equals(p.unknown, unknown);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** One line, each present attribute as {@code name=value} via the attribute table's format column. */
    @Override
    public String toString() {
        return AttributeTable.format(this);
    }

    /** Mutable builder; the decoder reuses one per channel. */
    public static final class Builder {
        int origin = -1;
        AsPath asPath;
        boolean hasNextHop;
        int nextHop;
        long med = -1, localPref = -1;
        boolean atomicAggregate;
        Aggregator aggregator;
        int[] communities;
        long originatorId = -1;
        int[] clusterList;
        long[] extCommunities;
        int[] largeCommunities;
        RawAttribute[] unknown;
        // transient, only while decoding from a 2-octet speaker
        AsPath as4Path;
        Aggregator as4Aggregator;

        void reset() {
            origin = -1;
            asPath = null;
            hasNextHop = false;
            nextHop = 0;
            med = -1;
            localPref = -1;
            atomicAggregate = false;
            aggregator = null;
            communities = null;
            originatorId = -1;
            clusterList = null;
            extCommunities = null;
            largeCommunities = null;
            unknown = null;
            as4Path = null;
            as4Aggregator = null;
        }

        public Builder origin(int v) {
            if (v < 0 || v > 2) {
                throw new IllegalArgumentException("origin: " + v + " (expected: 0..2)");
            }
            origin = v;
            return this;
        }

        public Builder asPath(AsPath v) {
            asPath = v;
            return this;
        }

        public Builder nextHop(int v) {
            hasNextHop = true;
            nextHop = v;
            return this;
        }

        public Builder nextHop(String v) {
            return nextHop(Ip.v4Int(v));
        }

        public Builder med(long v) {
            med = checkU32("med", v);
            return this;
        }

        public Builder localPref(long v) {
            localPref = checkU32("local preference", v);
            return this;
        }

        public Builder atomicAggregate(boolean v) {
            atomicAggregate = v;
            return this;
        }

        public Builder aggregator(Aggregator v) {
            aggregator = v;
            return this;
        }

        public Builder communities(int... v) {
            communities = v == null ? null : v.clone();
            return this;
        }

        public Builder originatorId(long v) {
            originatorId = checkU32("originator id", v);
            return this;
        }

        public Builder clusterList(int... v) {
            clusterList = v == null ? null : v.clone();
            return this;
        }

        public Builder extCommunities(long... v) {
            extCommunities = v == null ? null : v.clone();
            return this;
        }

        public Builder largeCommunities(int... v) {
            if (v != null && v.length % 3 != 0) {
                throw new IllegalArgumentException("large communities: " + v.length + " ints (expected: triples)");
            }
            largeCommunities = v == null ? null : v.clone();
            return this;
        }

        public Builder unknown(RawAttribute... v) {
            unknown = v == null || v.length == 0 ? null : v.clone();
            return this;
        }

        void addUnknown(RawAttribute r) {
            unknown = unknown == null ? new RawAttribute[] {r} : Arrays.copyOf(unknown, unknown.length + 1);
            unknown[unknown.length - 1] = r;
        }

        private static long checkU32(String what, long v) {
            if (v < -1 || v > 0xffffffffL) {
                throw new IllegalArgumentException(what + ": " + v + " (expected: 0..4294967295)");
            }
            return v;
        }

        public PathAttributes build() {
            return new PathAttributes(this);
        }
    }
}
