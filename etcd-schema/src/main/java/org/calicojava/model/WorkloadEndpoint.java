package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code /calico/v1/host/<host>/workload/<orch>/<workload>/endpoint/<id>} =
 * {"state","name","mac","profile_ids","ipv4_nets","ipv6_nets","labels"} and, optional, "qos" (bandwidth limits,
 * {@link WorkloadQos}; absent in records of older writers and of endpoints without limits).
 */
public record WorkloadEndpoint(
        @JsonProperty("state") String state,
        @JsonProperty("name") String name,
        @JsonProperty("mac") String mac,
        @JsonProperty("profile_ids") List<String> profileIds,
        @JsonProperty("ipv4_nets") List<Cidr> ipv4Nets,
        @JsonProperty("ipv6_nets") List<Cidr> ipv6Nets,
        @JsonProperty("labels") Map<String, String> labels,
        @JsonProperty("qos") WorkloadQos qos) {

    private static final Pattern MAC = Pattern.compile("([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}");
    private static final Pattern IFACE = Pattern.compile("[a-zA-Z0-9_.\\-]{1,15}");

    /** At most this many addresses per family and profiles per endpoint. */
    public static final int MAX_ITEMS = 256;

    /** An endpoint without bandwidth limits. */
    public WorkloadEndpoint(
            String state,
            String name,
            String mac,
            List<String> profileIds,
            List<Cidr> ipv4Nets,
            List<Cidr> ipv6Nets,
            Map<String, String> labels) {
        this(state, name, mac, profileIds, ipv4Nets, ipv6Nets, labels, null);
    }

    @JsonCreator
    public WorkloadEndpoint {
        state = state == null ? "active" : state;
        if (!state.equals("active") && !state.equals("inactive")) {
            throw new IllegalArgumentException(
                    "endpoint state: " + LogText.quote(state) + " (expected: active or inactive)");
        }
        if (name == null || !IFACE.matcher(name).matches()) {
            throw new IllegalArgumentException("endpoint interface name: " + LogText.quote(name)
                    + " (expected: 1-15 of letters, digits, '_', '.', '-')");
        }
        if (mac != null && !MAC.matcher(mac).matches()) {
            throw new IllegalArgumentException(
                    "endpoint mac: " + LogText.quote(mac) + " (expected: like ee:ee:ee:ee:ee:ee)");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("endpoint interface name: " + LogText.quote(name) + " (not a name)");
        }
        profileIds = Lists.bounded("endpoint profile_ids", profileIds, MAX_ITEMS);
        profileIds.forEach(p -> Names.check("profile", p));
        ipv4Nets = hostRoutes("ipv4_nets", Lists.bounded("endpoint ipv4_nets", ipv4Nets, MAX_ITEMS), 4);
        ipv6Nets = hostRoutes("ipv6_nets", Lists.bounded("endpoint ipv6_nets", ipv6Nets, MAX_ITEMS), 6);
        labels = Labels.check(labels);
        qos = qos == null || qos.isEmpty() ? null : qos;
    }

    /**
     * {@code Json.read(json, WorkloadEndpoint.class)}, quicker for the record as this project's writers make it
     * ({@link LightJson#read}: felix decodes every endpoint of its host when it starts). Only the plain shape is read
     * here: strings for state, name and mac, lists of strings for profile_ids and the nets, an object of strings for
     * labels, no qos, unknown fields ignored; anything else goes through databind.
     */
    public static WorkloadEndpoint read(String json) {
        return LightJson.read(json, WorkloadEndpoint.class, WorkloadEndpoint::plain);
    }

    /** The endpoint of a plain document's root; throws for another shape (see {@link #read}). */
    static WorkloadEndpoint plain(Object root) {
        Map<?, ?> m = LightJson.object(root);
        LightJson.absent(m, "qos");
        Object labels = LightJson.field(m, "labels");
        return new WorkloadEndpoint(
                LightJson.text(m, "state"),
                LightJson.text(m, "name"),
                LightJson.text(m, "mac"),
                LightJson.list(m, "profile_ids", MAX_ITEMS, LightJson::string),
                LightJson.list(m, "ipv4_nets", MAX_ITEMS, Cidr::plain),
                LightJson.list(m, "ipv6_nets", MAX_ITEMS, Cidr::plain),
                labels == null ? null : LightJson.strings(labels),
                null);
    }

    /** Endpoint nets become routes to the workload's interface: host routes (/32, /128) of the right family only. */
    private static List<Cidr> hostRoutes(String what, List<Cidr> nets, int version) {
        for (Cidr c : nets) {
            if (c.version() != version) {
                throw new IllegalArgumentException("endpoint " + what + ": " + c + " is not IPv" + version);
            }
            if (c.prefixLength() != c.maxLength()) {
                throw new IllegalArgumentException(
                        "endpoint " + what + ": " + c + " (expected: a host route, /" + c.maxLength() + ")");
            }
        }
        return nets;
    }
}
