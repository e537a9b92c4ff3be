package org.calicojava.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.calicojava.model.Json;
import org.calicojava.model.LogText;
import org.calicojava.model.WorkloadQos;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bandwidth limits of one attachment given in {@code CNI_ARGS} ({@code ingress_bandwidth}, {@code egress_bandwidth}
 * in bit/s, optional {@code ingress_burst}, {@code egress_burst} in bits). The standard {@code bandwidth} plugin
 * reads only {@code runtimeConfig.bandwidth}, so calico-java-cni runs that plugin itself (from {@code CNI_PATH}, as a
 * delegated IPAM plugin) with the limits as its runtime configuration and its own result as {@code prevResult}: the
 * same tc setup as a chained {@code bandwidth} (ingress: a token bucket on the host veth; egress: the veth's ingress
 * redirected to an ifb device shaped the same way). Its DEL removes the ifb; the veth's qdiscs go with the veth.
 * The limits are recorded on the workload endpoint ({@link WorkloadQos}), so a DEL or GC without them still finds
 * the ifb to remove.
 */
final class Bandwidth {
    static final String PLUGIN = "bandwidth";
    static final String INGRESS = "ingress_bandwidth";
    static final String INGRESS_BURST = "ingress_burst";
    static final String EGRESS = "egress_bandwidth";
    static final String EGRESS_BURST = "egress_burst";
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,18}");
    private static final Logger LOG = LoggerFactory.getLogger(Bandwidth.class);

    private Bandwidth() {}

    /** The limits in CNI_ARGS, or null when it names none; a bad value is a code 7 error. */
    static WorkloadQos fromArgs(Map<String, String> args) {
        if (!args.containsKey(INGRESS)
                && !args.containsKey(EGRESS)
                && !args.containsKey(INGRESS_BURST)
                && !args.containsKey(EGRESS_BURST)) {
            return null;
        }
        try {
            return new WorkloadQos(
                    number(args, INGRESS),
                    number(args, INGRESS_BURST),
                    number(args, EGRESS),
                    number(args, EGRESS_BURST));
        } catch (IllegalArgumentException e) {
            throw new CniException(CniException.INVALID_CONFIG, "CNI_ARGS: " + e.getMessage());
        }
    }

    /** As {@link #fromArgs}, but bad values are logged and read as none (DEL must not fail over them). */
    static WorkloadQos fromArgsLenient(Map<String, String> args) {
        try {
            return fromArgs(args);
        } catch (CniException e) {
            LOG.warn("{} (ignored)", e.getMessage());
            return null;
        }
    }

    private static Long number(Map<String, String> args, String key) {
        String v = args.get(key);
        if (v == null) {
            return null;
        }
        if (!NUMBER.matcher(v).matches()) {
            throw new IllegalArgumentException(key + ": " + LogText.quote(v) + " (expected: a whole number of "
                    + (key.endsWith("burst") ? "bits" : "bit/s") + ")");
        }
        return Long.parseLong(v);
    }

    /** Fails with code 7 (nothing made yet) when the bandwidth plugin is not in CNI_PATH. */
    static void requirePlugin(Context c) {
        ExecPlugin.find(PLUGIN, c.env.path());
    }

    /**
     * Runs {@code bandwidth ADD} for {@code result}'s host veth; returns {@code result} with the interfaces the
     * plugin added (the ifb device of an egress limit).
     */
    static Result apply(Context c, WorkloadQos q, Result result) {
        if (q.egressBandwidth() != null) {
            // a retried ADD: the plugin refuses to make an ifb that exists
            ExecPlugin.run(PLUGIN, "DEL", c.env.path(), c.processEnv, bytes(conf(c)));
        }
        ObjectNode conf = conf(c);
        ObjectNode bw = conf.putObject("runtimeConfig").putObject("bandwidth");
        if (q.ingressBandwidth() != null) {
            bw.put("ingressRate", q.ingressBandwidth()).put("ingressBurst", q.ingressBurst());
        }
        if (q.egressBandwidth() != null) {
            bw.put("egressRate", q.egressBandwidth()).put("egressBurst", q.egressBurst());
        }
        conf.set("prevResult", result.toJson(c.conf.cniVersion()));
        JsonNode out = ExecPlugin.run(PLUGIN, "ADD", c.env.path(), c.processEnv, bytes(conf));
        List<Result.Iface> ifaces = new ArrayList<>(result.interfaces());
        for (JsonNode i : out == null ? List.<JsonNode>of() : listOf(out.path("interfaces"))) {
            String name = i.path("name").asText("");
            if (!name.isEmpty() && ifaces.stream().noneMatch(x -> x.name().equals(name))) {
                ifaces.add(new Result.Iface(name, i.path("mac").asText(""), null));
            }
        }
        LOG.info(
                "ADD {} {}: bandwidth ingress {} bit/s, egress {} bit/s",
                c.env.containerId(),
                c.env.ifname(),
                q.ingressBandwidth() == null ? "unlimited" : q.ingressBandwidth(),
                q.egressBandwidth() == null ? "unlimited" : q.egressBandwidth());
        return new Result(List.copyOf(ifaces), result.ips(), result.routes());
    }

    /** Runs {@code bandwidth DEL} (removes the ifb device, if any); a missing plugin is logged, not an error. */
    static void remove(Context c) {
        try {
            requirePlugin(c);
        } catch (CniException e) {
            LOG.warn(
                    "DEL {} {}: cannot remove its bandwidth limits: {}",
                    c.env.containerId(),
                    c.env.ifname(),
                    e.getMessage());
            return;
        }
        ExecPlugin.run(PLUGIN, "DEL", c.env.path(), c.processEnv, bytes(conf(c)));
    }

    private static ObjectNode conf(Context c) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("cniVersion", c.conf.cniVersion());
        n.put("name", c.conf.name());
        n.put("type", PLUGIN);
        return n;
    }

    private static List<JsonNode> listOf(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        if (array.isArray()) {
            array.forEach(out::add);
        }
        return out;
    }

    private static byte[] bytes(ObjectNode n) {
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }
}
