package org.calicojava.bgp.codec;

/** A BGP message (RFC 4271 section 4): one small final class per type. */
public sealed interface Message permits Open, Update, Notification, Keepalive, RouteRefresh {
    int OPEN = 1, UPDATE = 2, NOTIFICATION = 3, KEEPALIVE = 4, ROUTE_REFRESH = 5;
    int HEADER_LENGTH = 19, MAX_LENGTH = 4096, MAX_EXTENDED_LENGTH = 65535;

    int type();
}
