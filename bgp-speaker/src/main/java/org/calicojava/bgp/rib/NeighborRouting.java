package org.calicojava.bgp.rib;

import java.net.InetAddress;
import java.util.List;

/**
 * Routing settings of one neighbour (its session settings are in {@code NeighborConfig}).
 *
 * @param importPolicies names of policies applied to received routes (empty: iBGP accepts all, eBGP nothing, RFC 8212)
 * @param exportPolicies names of policies applied to advertised routes (empty: iBGP all, eBGP nothing, RFC 8212)
 * @param rrClient       this neighbour is a route-reflector client (RFC 4456)
 * @param nextHopKeep    {@code nextHop: keep}: do not set next hop self toward this iBGP neighbour
 * @param allowOwnAs     accept routes whose AS_PATH contains our AS this many times
 */
public record NeighborRouting(
        InetAddress address,
        List<String> importPolicies,
        List<String> exportPolicies,
        boolean rrClient,
        boolean nextHopKeep,
        int allowOwnAs) {
    public NeighborRouting {
        importPolicies = List.copyOf(importPolicies);
        exportPolicies = List.copyOf(exportPolicies);
    }

    public static NeighborRouting defaults(InetAddress a) {
        return new NeighborRouting(a, List.of(), List.of(), false, false, 0);
    }
}
