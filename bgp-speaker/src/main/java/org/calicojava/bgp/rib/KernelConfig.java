package org.calicojava.bgp.rib;

import java.util.List;
import org.calicojava.bgp.kernel.IpipRoutes;

/**
 * {@code kernel:} settings.
 *
 * @param enabled        install best routes and learn routes from the kernel
 * @param table          routing table (254 = main)
 * @param protocol       our route protocol number (186 = RTPROT_BGP); routes of other protocols are never touched
 * @param learnProtocols protocols of kernel routes to originate (80 = felix's workload routes)
 * @param importPolicies policies for routes learned from the kernel (empty: accept)
 * @param exportPolicies policies for routes installed into the kernel (empty: accept)
 * @param blackholes     install a blackhole route for each {@code originate:} block
 * @param ipip           IP-in-IP pools: their routes go via the next hop dev tunl0 onlink ({@code kernel.ipip})
 */
public record KernelConfig(
        boolean enabled,
        int table,
        int protocol,
        List<Integer> learnProtocols,
        List<String> importPolicies,
        List<String> exportPolicies,
        boolean blackholes,
        IpipRoutes ipip) {
    public static final KernelConfig DEFAULT =
            new KernelConfig(true, 254, 186, List.of(80), List.of(), List.of(), true, IpipRoutes.NONE);
    public static final KernelConfig OFF =
            new KernelConfig(false, 254, 186, List.of(80), List.of(), List.of(), true, IpipRoutes.NONE);

    public KernelConfig {
        ipip = ipip == null ? IpipRoutes.NONE : ipip;
        if (table < 1) {
            throw new IllegalArgumentException("kernel.table: " + table + " (expected: 1..4294967295)");
        }
        if (protocol < 1 || protocol > 255) {
            throw new IllegalArgumentException("kernel.protocol: " + protocol + " (expected: 1..255)");
        }
        learnProtocols = List.copyOf(learnProtocols);
        importPolicies = List.copyOf(importPolicies);
        exportPolicies = List.copyOf(exportPolicies);
        if (learnProtocols.contains(protocol)) {
            throw new IllegalArgumentException(
                    "kernel.learnProtocols: " + protocol + " (expected: not our own protocol)");
        }
    }
}
