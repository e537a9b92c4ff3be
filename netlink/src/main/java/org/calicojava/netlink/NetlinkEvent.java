package org.calicojava.netlink;

/** A change the kernel announced on a multicast group; see {@link NetlinkEvents}. */
public sealed interface NetlinkEvent
        permits NetlinkEvent.LinkEvent, NetlinkEvent.RouteEvent, NetlinkEvent.AddressEvent {

    /** ADDED covers new and changed objects (RTM_NEW*: a link going up, a replaced route); REMOVED is RTM_DEL*. */
    enum Change {
        ADDED,
        REMOVED
    }

    Change change();

    record LinkEvent(Change change, Link link) implements NetlinkEvent {}

    record RouteEvent(Change change, Route route) implements NetlinkEvent {}

    record AddressEvent(Change change, Address address) implements NetlinkEvent {}
}
