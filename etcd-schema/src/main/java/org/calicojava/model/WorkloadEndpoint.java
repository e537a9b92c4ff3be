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
     * {@code Json.read(json, WorkloadEndpoint.class)}, quicker for the record as this project's writers make it (read
     * with {@link LightJson}: felix decodes every endpoint of its host when it starts, and databind's record
     * introspection and per-record work were most of that). Only the plain shape is read here: strings for state,
     * name and mac, lists of strings for profile_ids and the nets, an object of strings for labels, no qos, unknown
     * fields ignored; anything else (another type, a JSON null, a repeated field, a value the constructor refuses)
     * goes through databind, so the result and the refusal's message are databind's.
     */
    public static WorkloadEndpoint read(String json) {
        Map<String, Object> m = LightJson.record(json);
        if (m != null
                && m.get("name") instanceof String name
                && LightJson.absentOr(m, "state", String.class)
                && LightJson.absentOr(m, "mac", String.class)
                && !m.containsKey("qos")
                && strings(m, "profile_ids")
                && strings(m, "ipv4_nets")
                && strings(m, "ipv6_nets")
                && (!m.containsKey("labels") || m.get("labels") instanceof Map<?, ?> l && strings(l.values()))) {
            try {
                return new WorkloadEndpoint(
                        (String) m.get("state"),
                        name,
                        (String) m.get("mac"),
                        LightJson.cast(m.get("profile_ids")),
                        cidrs(m.get("ipv4_nets")),
                        cidrs(m.get("ipv6_nets")),
                        LightJson.cast(m.get("labels")),
                        null);
            } catch (RuntimeException e) {
                // refused: databind says why, in its words
            }
        }
        return Json.read(json, WorkloadEndpoint.class);
    }

    /** The field is absent, or a list of at most {@value #MAX_ITEMS} strings (no JSON null in it). */
    private static boolean strings(Map<String, Object> m, String field) {
        return !m.containsKey(field) || m.get(field) instanceof List<?> l && l.size() <= MAX_ITEMS && strings(l);
    }

    private static boolean strings(java.util.Collection<?> values) {
        for (Object o : values) {
            if (!(o instanceof String)) {
                return false;
            }
        }
        return true;
    }

    /** The nets of a field that {@link #strings(Map, String)} accepted; null when absent. */
    private static List<Cidr> cidrs(Object texts) {
        if (texts == null) {
            return null;
        }
        List<Cidr> out = new java.util.ArrayList<>();
        for (Object t : (List<?>) texts) {
            out.add(Cidr.parse((String) t));
        }
        return out;
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
