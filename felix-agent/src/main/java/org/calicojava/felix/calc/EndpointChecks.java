package org.calicojava.felix.calc;

import java.util.regex.Pattern;
import org.calicojava.model.Cidr;
import org.calicojava.model.WorkloadEndpoint;

/**
 * What felix requires of a workload endpoint beyond the record's own validation, before anything of it reaches the
 * kernel: its nets are host routes (/32, /128; a wider net would route others' addresses, even the host's default
 * route, to the workload) and its interface name cannot be read as an option ({@code -i -j ...}).
 */
final class EndpointChecks {
    private static final Pattern IFACE = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]{0,14}");

    private EndpointChecks() {}

    static WorkloadEndpoint check(WorkloadEndpoint ep) {
        if (!IFACE.matcher(ep.name()).matches()) {
            throw new IllegalArgumentException("endpoint interface name: '" + ep.name()
                    + "' (expected: 1-15 of letters, digits, '_', '.', '-', starting with a letter or digit)");
        }
        for (Cidr c : ep.ipv4Nets()) {
            hostRoute("ipv4_nets", c);
        }
        for (Cidr c : ep.ipv6Nets()) {
            hostRoute("ipv6_nets", c);
        }
        return ep;
    }

    private static void hostRoute(String field, Cidr c) {
        if (c.prefixLength() != c.maxLength()) {
            throw new IllegalArgumentException(
                    "endpoint " + field + ": " + c + " (expected: host routes only, /" + c.maxLength() + ")");
        }
    }
}
