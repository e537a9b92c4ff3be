package org.calicojava.netlink;

/**
 * Which routes a dump returns. Each field is a value to match or {@link #ANY}.
 *
 * @param family   2 (IPv4), 10 (IPv6) or ANY
 * @param table    table id or ANY
 * @param protocol rtm_protocol or ANY
 * @param type     a route type or null for any
 */
public record RouteFilter(int family, int table, int protocol, RouteType type) {
    public static final int ANY = -1;

    /** Every route of both families in every table (including the kernel's local table). */
    public static RouteFilter all() {
        return new RouteFilter(ANY, ANY, ANY, null);
    }

    /** The main table, both families, like {@code ip route show} plus {@code ip -6 route show}. */
    public static RouteFilter main() {
        return all().withTable(Route.TABLE_MAIN);
    }

    public RouteFilter withFamily(int f) {
        return new RouteFilter(f, table, protocol, type);
    }

    public RouteFilter withTable(int t) {
        return new RouteFilter(family, t, protocol, type);
    }

    public RouteFilter withProtocol(int p) {
        return new RouteFilter(family, table, p, type);
    }

    public RouteFilter withType(RouteType t) {
        return new RouteFilter(family, table, protocol, t);
    }

    public boolean matches(Route r) {
        return (family == ANY || r.dst().family() == family)
                && (table == ANY || r.table() == table)
                && (protocol == ANY || r.protocol() == protocol)
                && (type == null || r.type() == type);
    }
}
