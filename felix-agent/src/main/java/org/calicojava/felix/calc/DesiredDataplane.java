package org.calicojava.felix.calc;

import java.util.Map;
import org.calicojava.felix.rules.Chain;
import org.calicojava.model.Cidr;

/**
 * What the dataplane should look like, computed purely from the datastore ({@link Calculator}).
 *
 * @param routes      workload routes: destination (/32, /128) to host-side interface
 * @param interfaces  local active endpoints by interface name: each has its {@code cali-tw-}/{@code cali-fw-} chains
 *                    in every non-empty filter table, and the backends render the dispatch to them from this map
 *                    (iptables: the dispatch chain trees; nftables: the two verdict maps)
 * @param filter      our IPv4 chains in the filter table, by name
 * @param nat         our IPv4 chains in the nat table, by name
 * @param ipsets      ipsets of both families by name ({@code cali4-...} inet, {@code cali6-...} inet6)
 * @param raw         our IPv4 chains in the raw table (anti-spoofing), by name
 * @param filter6     our IPv6 chains in the filter table (empty when Ipv6Support is off)
 * @param nat6        our IPv6 chains in the nat table (NAT66 for pools with masquerade)
 * @param raw6        our IPv6 chains in the raw table (anti-spoofing)
 */
public record DesiredDataplane(
        Map<Cidr, String> routes,
        Map<String, EndpointKey> interfaces,
        Map<String, Chain> filter,
        Map<String, Chain> nat,
        Map<String, IpSetSpec> ipsets,
        Map<String, Chain> raw,
        Map<String, Chain> filter6,
        Map<String, Chain> nat6,
        Map<String, Chain> raw6) {

    /** The chains of one table ("filter", "nat" or "raw") for IP version 4 or 6. */
    public Map<String, Chain> chains(int version, String table) {
        return switch (table) {
            case "filter" -> version == 4 ? filter : filter6;
            case "nat" -> version == 4 ? nat : nat6;
            case "raw" -> version == 4 ? raw : raw6;
            default ->
                throw new IllegalArgumentException("iptables table: '" + table + "' (expected: filter, nat or raw)");
        };
    }
}
