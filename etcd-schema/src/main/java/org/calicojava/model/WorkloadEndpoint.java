package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code /calico/v1/host/<host>/workload/<orch>/<workload>/endpoint/<id>} =
 * {"state","name","mac","profile_ids","ipv4_nets","ipv6_nets","labels"}.
 */
public record WorkloadEndpoint(
        @JsonProperty("state") String state,
        @JsonProperty("name") String name,
        @JsonProperty("mac") String mac,
        @JsonProperty("profile_ids") List<String> profileIds,
        @JsonProperty("ipv4_nets") List<Cidr> ipv4Nets,
        @JsonProperty("ipv6_nets") List<Cidr> ipv6Nets,
        @JsonProperty("labels") Map<String, String> labels) {

    private static final Pattern MAC = Pattern.compile("([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}");
    private static final Pattern IFACE = Pattern.compile("[a-zA-Z0-9_.\\-]{1,15}");

    public WorkloadEndpoint {
        state = state == null ? "active" : state;
        if (!state.equals("active") && !state.equals("inactive")) {
            throw new IllegalArgumentException("endpoint state: '" + state + "' (expected: active or inactive)");
        }
        if (name == null || !IFACE.matcher(name).matches()) {
            throw new IllegalArgumentException("endpoint interface name: '" + name + "' (expected: 1-15 characters)");
        }
        if (mac != null && !MAC.matcher(mac).matches()) {
            throw new IllegalArgumentException("endpoint mac: '" + mac + "' (expected: like ee:ee:ee:ee:ee:ee)");
        }
        profileIds = profileIds == null ? List.of() : List.copyOf(profileIds);
        profileIds.forEach(p -> Names.check("profile", p));
        ipv4Nets = ipv4Nets == null ? List.of() : List.copyOf(ipv4Nets);
        ipv6Nets = ipv6Nets == null ? List.of() : List.copyOf(ipv6Nets);
        for (Cidr c : ipv4Nets) {
            if (!c.isIpv4()) {
                throw new IllegalArgumentException("endpoint ipv4_nets: " + c + " is not IPv4");
            }
        }
        for (Cidr c : ipv6Nets) {
            if (c.isIpv4()) {
                throw new IllegalArgumentException("endpoint ipv6_nets: " + c + " is not IPv6");
            }
        }
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
