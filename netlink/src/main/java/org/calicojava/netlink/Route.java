package org.calicojava.netlink;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A kernel route. Build one with {@link #builder}; routes read back from the kernel come from
 * {@link Netlink#routes}.
 *
 * @param dst      destination network (host bits zero)
 * @param type     unicast, blackhole, unreachable, prohibit (others only appear in dumps)
 * @param table    routing table id (unsigned 32 bits), 254 = main
 * @param protocol who owns the route (rtm_protocol), e.g. 3 boot, 4 static; each route owner uses its own number
 * @param scope    rtm_scope: 0 universe, 253 link, 254 host
 * @param metric   RTA_PRIORITY (0 = not set; the kernel uses 1024 for IPv6)
 * @param nextHops empty for blackhole/unreachable/prohibit, one for a plain route, several for ECMP
 * @param prefSrc  preferred source address, or null
 */
public record Route(
        IpPrefix dst,
        RouteType type,
        int table,
        int protocol,
        int scope,
        int metric,
        List<NextHop> nextHops,
        InetAddress prefSrc) {
    public static final int TABLE_MAIN = 254;
    public static final int PROTO_BOOT = 3;
    public static final int SCOPE_UNIVERSE = 0;
    public static final int SCOPE_LINK = 253;
    public static final int SCOPE_HOST = 254;

    public Route {
        if (dst == null || type == null) {
            throw new IllegalArgumentException("route: dst and type are required");
        }
        if (!dst.isNetwork()) {
            throw new IllegalArgumentException(
                    "route dst: " + dst + " (expected: no bits set after the prefix length)");
        }
        if (table == 0) {
            throw new IllegalArgumentException("route table: 0 (expected: 1..4294967295, unsigned)");
        }
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("route protocol: " + protocol + " (expected: 0..255)");
        }
        if (scope < 0 || scope > 255) {
            throw new IllegalArgumentException("route scope: " + scope + " (expected: 0..255)");
        }
        nextHops = List.copyOf(nextHops == null ? List.of() : nextHops);
        boolean noNextHop = type == RouteType.BLACKHOLE || type == RouteType.UNREACHABLE || type == RouteType.PROHIBIT;
        if (noNextHop && !nextHops.isEmpty()) {
            throw new IllegalArgumentException("route " + dst + ": " + type + " with next hops (expected: none)");
        }
        for (NextHop h : nextHops) {
            if (h.gateway() != null
                    && h.gateway().getAddress().length != dst.address().getAddress().length) {
                throw new IllegalArgumentException("route " + dst + ": gateway " + IpPrefix.format(h.gateway())
                        + " (expected: same address family as the destination)");
            }
        }
    }

    public static Builder builder(IpPrefix dst) {
        return new Builder(dst);
    }

    public static Builder builder(String dst) {
        return new Builder(IpPrefix.parse(dst));
    }

    public Builder toBuilder() {
        Builder b = new Builder(dst)
                .type(type)
                .table(table)
                .protocol(protocol)
                .scope(scope)
                .metric(metric)
                .prefSrc(prefSrc);
        nextHops.forEach(b::nextHop);
        return b;
    }

    public boolean isIpv4() {
        return dst.isIpv4();
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        if (type != RouteType.UNICAST) {
            s.append(type.name().toLowerCase()).append(' ');
        }
        s.append(dst);
        nextHops.forEach(h -> s.append(" [").append(h).append(']'));
        s.append(" proto ")
                .append(protocol)
                .append(" table ")
                .append(table)
                .append(" scope ")
                .append(scope);
        if (metric != 0) {
            s.append(" metric ").append(Integer.toUnsignedString(metric));
        }
        return s.toString();
    }

    /** Builds a {@link Route}: defaults are unicast, table main, protocol boot, scope derived like {@code ip}. */
    public static final class Builder {
        private final IpPrefix dst;
        private RouteType type = RouteType.UNICAST;
        private int table = TABLE_MAIN;
        private int protocol = PROTO_BOOT;
        private Integer scope;
        private int metric;
        private final List<NextHop> nextHops = new ArrayList<>();
        private InetAddress prefSrc;

        private Builder(IpPrefix dst) {
            this.dst = dst;
        }

        public Builder type(RouteType t) {
            type = t;
            return this;
        }

        public Builder table(int t) {
            table = t;
            return this;
        }

        public Builder protocol(int p) {
            protocol = p;
            return this;
        }

        public Builder scope(int s) {
            scope = s;
            return this;
        }

        public Builder metric(int m) {
            metric = m;
            return this;
        }

        public Builder prefSrc(InetAddress a) {
            prefSrc = a;
            return this;
        }

        /** Adds a next hop; add several for an ECMP (multipath) route. */
        public Builder nextHop(NextHop h) {
            nextHops.add(h);
            return this;
        }

        /** Adds a next hop through {@code gateway} on interface {@code ifindex} (0 = any). */
        public Builder via(InetAddress gateway, int ifindex) {
            return nextHop(NextHop.via(gateway, ifindex));
        }

        public Builder via(String gateway, int ifindex) {
            return via(IpPrefix.parseAddress(gateway), ifindex);
        }

        /** Adds a directly connected next hop on interface {@code ifindex}. */
        public Builder dev(int ifindex) {
            return nextHop(NextHop.dev(ifindex));
        }

        public Route build() {
            int sc = scope != null
                    ? scope
                    : type == RouteType.UNICAST && nextHops.stream().allMatch(h -> h.gateway() == null)
                            ? SCOPE_LINK
                            : SCOPE_UNIVERSE;
            return new Route(dst, type, table, protocol, sc, metric, nextHops, prefSrc);
        }
    }
}
