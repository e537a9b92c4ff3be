package org.calicojava.felix.calc;

import org.calicojava.felix.rules.Chain;
import org.calicojava.model.Cidr;

import java.util.Map;

/**
 * What the dataplane should look like, computed purely from the datastore ({@link Calculator}).
 *
 * @param routes      workload routes: destination (/32, /128) to host-side interface
 * @param interfaces  local active endpoints by interface name
 * @param filter      our chains in the filter table, by name
 * @param nat         our chains in the nat table, by name
 * @param ipsets      ipsets by name
 */
public record DesiredDataplane(Map<Cidr, String> routes, Map<String, EndpointKey> interfaces,
                               Map<String, Chain> filter, Map<String, Chain> nat, Map<String, IpSetSpec> ipsets) {
}
