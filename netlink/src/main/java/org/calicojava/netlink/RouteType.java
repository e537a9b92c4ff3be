package org.calicojava.netlink;

/** The route types this module programs (rtm_type); others read from the kernel map to {@link #OTHER}. */
public enum RouteType {
    UNICAST(1),
    LOCAL(2),
    BROADCAST(3),
    MULTICAST(5),
    BLACKHOLE(6),
    UNREACHABLE(7),
    PROHIBIT(8),
    OTHER(-1);

    private final int code;

    RouteType(int code) {
        this.code = code;
    }

    /** The RTN_* number. */
    public int code() {
        return code;
    }

    public static RouteType of(int code) {
        for (RouteType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return OTHER;
    }
}
