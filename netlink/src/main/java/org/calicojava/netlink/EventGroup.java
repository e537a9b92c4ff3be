package org.calicojava.netlink;

/** rtnetlink multicast groups one can subscribe to (RTNLGRP_*, the RTMGRP_* bit is 1 << (group - 1)). */
public enum EventGroup {
    LINK(1),
    IPV4_ADDRESS(5),
    IPV4_ROUTE(7),
    IPV6_ADDRESS(9),
    IPV6_ROUTE(11);

    final int group;

    EventGroup(int group) {
        this.group = group;
    }
}
