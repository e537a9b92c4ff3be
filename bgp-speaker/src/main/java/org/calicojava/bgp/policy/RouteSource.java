package org.calicojava.bgp.policy;

/** Where a route came from, for policy matches ({@code source: bgp|kernel|static}). */
public enum RouteSource {
    BGP,
    KERNEL,
    STATIC
}
