package org.calicojava.bgp.rib;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.config.ConfigException;
import org.calicojava.bgp.config.ConfigLoader;
import org.calicojava.bgp.config.SpeakerYaml;
import org.calicojava.bgp.control.ControlConfig;
import org.calicojava.bgp.policy.Match;
import org.calicojava.bgp.policy.Policy;
import org.calicojava.bgp.policy.PrefixRange;
import org.calicojava.bgp.policy.RouteSource;
import org.calicojava.bgp.policy.SetActions;
import org.calicojava.bgp.policy.Term;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the routing keys of the speaker's YAML ({@link ConfigLoader} reads the session keys of the same file):
 * {@code policies, routeReflector{clusterId}, multipath, alwaysCompareMed, kernel{enabled, table, protocol,
 * learnProtocols, import, export, blackholes}, maxStaleRoutesTime, controlSocket (a path or {path, group, maxClients, maxLineLength}), metrics{port, host}}
 * and per neighbour {@code import, export,
 * rrClient, nextHop (self|keep), allowOwnAs}. A policy term is {@code {match: {prefixes, communities, largeCommunities,
 * asPath, nextHop, origin, source}, action, set: {localPref, med, communities{add,remove}, largeCommunities{add,remove},
 * prepend}}}. Errors name their key. The kernel is off unless {@code kernel:} is given.
 */
public final class RoutingConfigLoader {
    private static final ObjectMapper YAML = SpeakerYaml.MAPPER;

    private RoutingConfigLoader() {}

    public static RoutingConfig load(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    public static RoutingConfig parse(String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new ConfigException("config: not valid YAML (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException("config: empty (expected: a mapping)");
        }
        Map<String, Policy> policies = new LinkedHashMap<>();
        JsonNode ps = root.get("policies");
        if (ps != null && !ps.isNull()) {
            if (!ps.isObject()) {
                throw new ConfigException("policies: " + ps.getNodeType() + " (expected: a mapping name -> list of terms)");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = ps.fields(); it.hasNext(); ) {
                var e = it.next();
                policies.put(e.getKey(), policy("policies." + e.getKey(), e.getKey(), e.getValue()));
            }
        }
        Map<InetAddress, NeighborRouting> neighbors = new LinkedHashMap<>();
        JsonNode ns = root.get("neighbors");
        if (ns != null && ns.isArray()) {
            for (int i = 0; i < ns.size(); i++) {
                String k = "neighbors[" + i + "].";
                JsonNode n = ns.get(i);
                InetAddress a = wrap(k + "address", () -> Ip.parse(n.path("address").asText()));
                List<String> imp = names(k + "import", n.get("import"), policies);
                List<String> exp = names(k + "export", n.get("export"), policies);
                boolean rr = n.has("rrClient") && bool(k + "rrClient", n.get("rrClient"));
                boolean keep = false;
                if (n.has("nextHop")) {
                    String v = n.get("nextHop").asText();
                    if (!v.equals("self") && !v.equals("keep")) {
                        throw new ConfigException(k + "nextHop: " + v + " (expected: self or keep)");
                    }
                    keep = v.equals("keep");
                }
                int allow = n.has("allowOwnAs") ? integer(k + "allowOwnAs", n.get("allowOwnAs"), 0, 10) : 0;
                neighbors.put(a, new NeighborRouting(a, imp, exp, rr, keep, allow));
            }
        }
        int clusterId = 0;
        JsonNode rr = root.get("routeReflector");
        if (rr != null && !rr.isNull()) {
            keys("routeReflector.", rr, SpeakerYaml.RouteReflector.class);
            JsonNode c = rr.get("clusterId");
            if (c == null || c.asText().isEmpty()) {
                throw new ConfigException("routeReflector.clusterId: missing (expected: an IPv4 address)");
            }
            InetAddress a = wrap("routeReflector.clusterId", () -> Ip.parse(c.asText()));
            if (!(a instanceof Inet4Address) || Ip.v4Int(a) == 0) {
                throw new ConfigException("routeReflector.clusterId: " + c.asText() + " (expected: a non-zero IPv4 address)");
            }
            clusterId = Ip.v4Int(a);
        }
        boolean multipath = root.has("multipath") && bool("multipath", root.get("multipath"));
        boolean acm = root.has("alwaysCompareMed") && bool("alwaysCompareMed", root.get("alwaysCompareMed"));
        KernelConfig kernel = KernelConfig.OFF;
        JsonNode k = root.get("kernel");
        if (k != null && !k.isNull()) {
            kernel = kernel(k, policies);
        }
        ControlConfig control = control(root.get("controlSocket"));
        int metrics = 0;
        String metricsHost = null;
        JsonNode m = root.get("metrics");
        if (m != null && !m.isNull()) {
            keys("metrics.", m, SpeakerYaml.Metrics.class);
            metrics = integer("metrics.port", m.get("port") == null ? YAML.getNodeFactory().numberNode(0) : m.get("port"), 0, 65535);
            if (m.hasNonNull("host")) {
                metricsHost = m.get("host").asText();
                if (!io.netty.util.NetUtil.isValidIpV4Address(metricsHost) && !io.netty.util.NetUtil.isValidIpV6Address(metricsHost)) {
                    throw new org.calicojava.bgp.config.ConfigException("metrics.host: " + metricsHost.replaceAll("\\p{Cntrl}", "?")
                            + " (expected: an IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0)");
                }
            }
        }
        int stale = root.has("maxStaleRoutesTime") ? integer("maxStaleRoutesTime", root.get("maxStaleRoutesTime"), 1, 4095)
                : RoutingConfig.DEFAULT_MAX_STALE_ROUTES_TIME;
        return new RoutingConfig(policies, neighbors, clusterId, multipath, acm, kernel, control, metrics, stale, metricsHost);
    }

    /** {@code controlSocket: PATH} or {@code {path, group, maxClients, maxLineLength}}. */
    private static ControlConfig control(JsonNode c) {
        if (c == null || c.isNull()) {
            return ControlConfig.at(null);
        }
        if (c.isTextual()) {
            return ControlConfig.at(Path.of(c.asText()));
        }
        keys("controlSocket.", c, SpeakerYaml.ControlSocket.class);
        JsonNode path = c.get("path");
        if (path == null || !path.isTextual() || path.asText().isEmpty()) {
            throw new ConfigException("controlSocket.path: missing (expected: a path)");
        }
        String group = c.has("group") ? c.get("group").asText() : null;
        int max = c.has("maxClients") ? integer("controlSocket.maxClients", c.get("maxClients"), 1, 100_000) : ControlConfig.DEFAULT_MAX_CLIENTS;
        int line = c.has("maxLineLength") ? integer("controlSocket.maxLineLength", c.get("maxLineLength"), 16, 1 << 20) : ControlConfig.DEFAULT_MAX_LINE;
        return wrap("controlSocket.group", () -> new ControlConfig(Path.of(path.asText()), group, max, line));
    }

    private static KernelConfig kernel(JsonNode k, Map<String, Policy> policies) {
        keys("kernel.", k, SpeakerYaml.Kernel.class);
        boolean enabled = !k.has("enabled") || bool("kernel.enabled", k.get("enabled"));
        int table = k.has("table") ? integer("kernel.table", k.get("table"), 1, Integer.MAX_VALUE) : 254;
        int proto = k.has("protocol") ? integer("kernel.protocol", k.get("protocol"), 1, 255) : 186;
        List<Integer> learn = new ArrayList<>();
        if (k.has("learnProtocols")) {
            for (JsonNode p : list("kernel.learnProtocols", k.get("learnProtocols"))) {
                learn.add(integer("kernel.learnProtocols", p, 1, 255));
            }
        } else {
            learn.add(80);
        }
        boolean bh = !k.has("blackholes") || bool("kernel.blackholes", k.get("blackholes"));
        List<String> imp = names("kernel.import", k.get("import"), policies), exp = names("kernel.export", k.get("export"), policies);
        try {
            return new KernelConfig(enabled, table, proto, learn, imp, exp, bh);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private static Policy policy(String key, String name, JsonNode terms) {
        List<Term> out = new ArrayList<>();
        for (int i = 0; i < list(key, terms).size(); i++) {
            out.add(term(key + "[" + i + "].", terms.get(i)));
        }
        return new Policy(name, out);
    }

    private static Term term(String k, JsonNode t) {
        keys(k, t, SpeakerYaml.Term.class);
        Match match = Match.ANY;
        JsonNode m = t.get("match");
        if (m != null && !m.isNull()) {
            keys(k + "match.", m, SpeakerYaml.Match.class);
            List<PrefixRange> prefixes = new ArrayList<>();
            if (m.has("prefixes")) for (JsonNode p : list(k + "match.prefixes", m.get("prefixes"))) {
                prefixes.add(wrap(k + "match.prefixes", () -> PrefixRange.parse(p.asText())));
            }
            List<Integer> comms = new ArrayList<>();
            if (m.has("communities")) {
                for (JsonNode c : list(k + "match.communities", m.get("communities"))) {
                    comms.add(community(k + "match.communities", c.asText()));
                }
            }
            List<int[]> larges = new ArrayList<>();
            if (m.has("largeCommunities")) {
                for (JsonNode c : list(k + "match.largeCommunities", m.get("largeCommunities"))) {
                    larges.add(large(k + "match.largeCommunities", c.asText()));
                }
            }
            long asPath = m.has("asPath") ? ConfigLoader.asNumber(k + "match.asPath", m.get("asPath")) : -1;
            Integer nh = m.has("nextHop") ? wrap(k + "match.nextHop", () -> Ip.v4Int(m.get("nextHop").asText())) : null;
            int origin = -1;
            if (m.has("origin")) origin = switch (m.get("origin").asText()) {
                case "igp" -> 0; case "egp" -> 1; case "incomplete" -> 2;
                default -> throw new ConfigException(k + "match.origin: " + m.get("origin").asText() + " (expected: igp, egp or incomplete)");
            };
            RouteSource src = null;
            if (m.has("source")) src = switch (m.get("source").asText()) {
                case "bgp" -> RouteSource.BGP; case "kernel" -> RouteSource.KERNEL; case "static" -> RouteSource.STATIC;
                default -> throw new ConfigException(k + "match.source: " + m.get("source").asText() + " (expected: bgp, kernel or static)");
            };
            match = new Match(prefixes, comms, asPath, nh, origin, src, larges);
        }
        Boolean accept = null;
        if (t.has("action")) accept = switch (t.get("action").asText()) {
            case "accept" -> true; case "reject" -> false;
            default -> throw new ConfigException(k + "action: " + t.get("action").asText() + " (expected: accept or reject)");
        };
        SetActions set = SetActions.NONE;
        JsonNode s = t.get("set");
        if (s != null && !s.isNull()) {
            keys(k + "set.", s, SpeakerYaml.Actions.class);
            long lp = s.has("localPref") ? integer(k + "set.localPref", s.get("localPref"), 0, Integer.MAX_VALUE) : -1;
            long med = s.has("med") ? integer(k + "set.med", s.get("med"), 0, Integer.MAX_VALUE) : -1;
            List<Integer> add = new ArrayList<>(), remove = new ArrayList<>();
            List<int[]> addL = new ArrayList<>(), removeL = new ArrayList<>();
            JsonNode c = s.get("communities");
            if (c != null) {
                keys(k + "set.communities.", c, SpeakerYaml.Change.class);
                if (c.has("add")) {
                    for (JsonNode x : list(k + "set.communities.add", c.get("add"))) {
                        add.add(community(k + "set.communities.add", x.asText()));
                    }
                }
                if (c.has("remove")) {
                    for (JsonNode x : list(k + "set.communities.remove", c.get("remove"))) {
                        remove.add(community(k + "set.communities.remove", x.asText()));
                    }
                }
            }
            JsonNode l = s.get("largeCommunities");
            if (l != null) {
                keys(k + "set.largeCommunities.", l, SpeakerYaml.Change.class);
                if (l.has("add")) {
                    for (JsonNode x : list(k + "set.largeCommunities.add", l.get("add"))) {
                        addL.add(large(k + "set.largeCommunities.add", x.asText()));
                    }
                }
                if (l.has("remove")) {
                    for (JsonNode x : list(k + "set.largeCommunities.remove", l.get("remove"))) {
                        removeL.add(large(k + "set.largeCommunities.remove", x.asText()));
                    }
                }
            }
            int prepend = s.has("prepend") ? integer(k + "set.prepend", s.get("prepend"), 0, 32) : 0;
            set = new SetActions(lp, med, add, remove, addL, removeL, prepend, 0);
        }
        return new Term(match, accept, set);
    }

    static int community(String key, String s) {
        String[] p = s.split(":");
        try {
            if (p.length == 2) {
                int a = Integer.parseInt(p[0].trim()), b = Integer.parseInt(p[1].trim());
                if (a >= 0 && a <= 65535 && b >= 0 && b <= 65535) {
                    return a << 16 | b;
                }
            }
        } catch (NumberFormatException ignored) { }
        throw new ConfigException(key + ": " + s + " (expected: ASN:VALUE, each 0..65535)");
    }

    static int[] large(String key, String s) {
        String[] p = s.split(":");
        try {
            if (p.length == 3) {
                int[] out = new int[3];
                for (int i = 0; i < 3; i++) {
                    long v = Long.parseLong(p[i].trim());
                    if (v < 0 || v > 0xffffffffL) {
                        throw new NumberFormatException();
                    }
                    out[i] = (int) v;
                }
                return out;
            }
        } catch (NumberFormatException ignored) { }
        throw new ConfigException(key + ": " + s + " (expected: GLOBAL:LOCAL1:LOCAL2, each 0..4294967295)");
    }

    private static List<String> names(String key, JsonNode n, Map<String, Policy> policies) {
        if (n == null || n.isNull()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (JsonNode x : list(key, n)) {
            if (!policies.containsKey(x.asText())) {
                throw new ConfigException(key + ": " + x.asText() + " (expected: a policy defined under policies: " + policies.keySet() + ")");
            }
            out.add(x.asText());
        }
        return out;
    }

    private static List<JsonNode> list(String key, JsonNode n) {
        if (!n.isArray()) {
            throw new ConfigException(key + ": " + n.getNodeType() + " (expected: a list)");
        }
        List<JsonNode> out = new ArrayList<>();
        n.forEach(out::add);
        return out;
    }

    private static void keys(String prefix, JsonNode n, Class<? extends Record> shape) {
        SpeakerYaml.checkKeys(prefix, n, shape, false);
    }

    private static boolean bool(String key, JsonNode v) {
        if (!v.isBoolean()) {
            throw new ConfigException(key + ": " + v.asText() + " (expected: true or false)");
        }
        return v.asBoolean();
    }

    private static int integer(String key, JsonNode v, int min, int max) {
        if (!v.isIntegralNumber() && !v.asText().matches("-?\\d+")) {
            throw new ConfigException(key + ": " + v.asText() + " (expected: an integer " + min + ".." + max + ")");
        }
        long i = v.asLong();
        if (i < min || i > max) {
            throw new ConfigException(key + ": " + i + " (expected: " + min + ".." + max + ")");
        }
        return (int) i;
    }

    private interface Body<T> { T get(); }

    private static <T> T wrap(String key, Body<T> b) {
        try {
            return b.get();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            int colon = m.indexOf(": ");
            throw new ConfigException(key + ": " + (colon >= 0 ? m.substring(colon + 2) : m));
        }
    }
}
