package org.calicojava.bgp.session;

import org.calicojava.bgp.codec.PathAttributes;

/** One route in a simple Adj-RIB-In: its attributes and next hop as text. */
public record ReceivedRoute(String prefix, String nextHop, PathAttributes attributes) {}
