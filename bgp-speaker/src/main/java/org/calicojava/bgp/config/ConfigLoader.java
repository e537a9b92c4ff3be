package org.calicojava.bgp.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.calicojava.bgp.codec.AddPathMode;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Prefix;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the speaker's YAML: {@code routerId, asNumber (asplain or asdot), listen{address,port}, holdTime,
 * neighbors[address, asNumber, passive, password, holdTime, ttlSecurity, addPath, gracefulRestart{restartTime}, port],
 * originate}, plus {@code connectRetryTime, idleHoldTime, nextHop{ipv4,ipv6}}. Unknown keys are refused, so a typo is
 * not silently ignored (the keys of each mapping: {@link SpeakerYaml}). Every error names its key.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = SpeakerYaml.MAPPER;

    private ConfigLoader() {}

    public static SpeakerConfig load(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    public static SpeakerConfig parse(String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException("config: not valid YAML (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException("config: empty (expected: a mapping with routerId, asNumber, ...)");
        }
        SpeakerYaml.checkKeys("", root, SpeakerYaml.Document.class, true);
        int routerId = Ip.v4Int(v4(root, "routerId", required(root, "routerId")));
        long asn = asNumber("asNumber", required(root, "asNumber"));
        InetAddress listenAddress = null;
        int listenPort = 0;
        JsonNode listen = root.get("listen");
        if (listen != null && !listen.isNull()) {
            SpeakerYaml.checkKeys("listen.", listen, SpeakerYaml.Listen.class, true);
            if (listen.get("address") != null) {
                listenAddress = address("listen.address", listen.get("address"));
            }
            listenPort = listen.get("port") == null ? 179 : integer("listen.port", listen.get("port"), 0, 65535);
        }
        int hold = root.get("holdTime") == null ? 90 : integer("holdTime", root.get("holdTime"), 0, 65535);
        wrap("holdTime", () -> SpeakerConfig.checkHold("holdTime", hold));
        List<NeighborConfig> neighbors = new ArrayList<>();
        JsonNode ns = root.get("neighbors");
        if (ns != null && !ns.isNull()) {
            if (!ns.isArray()) {
                throw new ConfigException("neighbors: " + ns.getNodeType() + " (expected: a list)");
            }
            for (int i = 0; i < ns.size(); i++) {
                neighbors.add(neighbor("neighbors[" + i + "].", ns.get(i), hold));
            }
        }
        List<Prefix> originate = new ArrayList<>();
        JsonNode os = root.get("originate");
        if (os != null && !os.isNull()) {
            if (!os.isArray()) {
                throw new ConfigException("originate: " + os.getNodeType() + " (expected: a list of prefixes)");
            }
            for (int i = 0; i < os.size(); i++) {
                String key = "originate[" + i + "]";
                String text = os.get(i).asText();
                originate.add(wrap(key, () -> Prefix.parse(text)));
            }
        }
        int retry = root.get("connectRetryTime") == null ? 5 : integer("connectRetryTime", root.get("connectRetryTime"), 1, 3600);
        int idleHold = root.get("idleHoldTime") == null ? 5 : integer("idleHoldTime", root.get("idleHoldTime"), 0, 3600);
        InetAddress nh4 = null, nh6 = null;
        JsonNode nh = root.get("nextHop");
        if (nh != null && !nh.isNull()) {
            SpeakerYaml.checkKeys("nextHop.", nh, SpeakerYaml.NextHop.class, true);
            if (nh.get("ipv4") != null) {
                nh4 = v4(nh, "nextHop.ipv4", nh.get("ipv4"));
            }
            if (nh.get("ipv6") != null) {
                nh6 = address("nextHop.ipv6", nh.get("ipv6"));
            }
        }
        InetAddress la = listenAddress;
        int lp = listenPort;
        InetAddress n4 = nh4, n6 = nh6;
        return wrap("config", () -> new SpeakerConfig(routerId, asn, la, lp, hold, neighbors, originate, retry, idleHold, n4, n6));
    }

    private static NeighborConfig neighbor(String p, JsonNode n, int defaultHold) {
        if (!n.isObject()) {
            throw new ConfigException(p.substring(0, p.length() - 1) + ": " + n.getNodeType() + " (expected: a mapping)");
        }
        SpeakerYaml.checkKeys(p, n, SpeakerYaml.Neighbor.class, true);
        InetAddress address = address(p + "address", required(n, p + "address", "address"));
        long asn = asNumber(p + "asNumber", required(n, p + "asNumber", "asNumber"));
        boolean passive = n.get("passive") != null && bool(p + "passive", n.get("passive"));
        String password = n.get("password") == null || n.get("password").isNull() ? null : n.get("password").asText();
        int hold = n.get("holdTime") == null ? defaultHold : integer(p + "holdTime", n.get("holdTime"), 0, 65535);
        int ttl = n.get("ttlSecurity") == null ? 0 : integer(p + "ttlSecurity", n.get("ttlSecurity"), 1, 254);
        int port = n.get("port") == null ? 179 : integer(p + "port", n.get("port"), 1, 65535);
        AddPathMode addPath = null;
        if (n.get("addPath") != null) {
            String v = n.get("addPath").asText();
            addPath = switch (v) {
                case "receive" -> AddPathMode.RECEIVE;
                case "send" -> AddPathMode.SEND;
                case "both" -> AddPathMode.BOTH;
                default -> throw new ConfigException(p + "addPath: " + v + " (expected: receive, send or both)");
            };
        }
        int restart = -1;
        JsonNode gr = n.get("gracefulRestart");
        if (gr != null && !gr.isNull()) {
            SpeakerYaml.checkKeys(p + "gracefulRestart.", gr, SpeakerYaml.GracefulRestart.class, true);
            restart = gr.get("restartTime") == null ? 120 : integer(p + "gracefulRestart.restartTime", gr.get("restartTime"), 0, 4095);
        }
        MaxPrefixes max = maxPrefixes(p + "maxPrefixes", n.get("maxPrefixes"));
        AddPathMode ap = addPath;
        int r = restart;
        return wrap(p.substring(0, p.length() - 1), () -> {
            SpeakerConfig.checkHold("holdTime", hold);
            return new NeighborConfig(address, port, asn, passive, password, hold, ttl, ap, r, max);
        });
    }

    /** {@code {limit: N, action: stop|warn|drop, restartAfter: 60s}} (action stop, restartAfter 60s by default). */
    private static MaxPrefixes maxPrefixes(String key, JsonNode m) {
        if (m == null || m.isNull()) {
            return null;
        }
        SpeakerYaml.checkKeys(key + ".", m, SpeakerYaml.MaxPrefixes.class, true);
        JsonNode l = required(m, key + ".limit", "limit");
        if (!l.canConvertToLong() || !(l.isIntegralNumber() || l.asText().matches("\\d+"))) {
            throw new ConfigException(key + ".limit: " + l.asText() + " (expected: an integer 1..100000000)");
        }
        MaxPrefixes.Action action = MaxPrefixes.Action.STOP;
        if (m.get("action") != null) {
            String a = m.get("action").asText();
            action = switch (a) {
                case "stop" -> MaxPrefixes.Action.STOP;
                case "warn" -> MaxPrefixes.Action.WARN;
                case "drop" -> MaxPrefixes.Action.DROP;
                default -> throw new ConfigException(key + ".action: " + a + " (expected: stop, warn or drop)");
            };
        }
        int after = m.get("restartAfter") == null ? MaxPrefixes.DEFAULT_RESTART_AFTER : seconds(key + ".restartAfter", m.get("restartAfter"));
        MaxPrefixes.Action act = action;
        return wrap(key.substring(0, key.lastIndexOf('.')), () -> new MaxPrefixes(l.asLong(), act, after));
    }

    /** A duration: {@code 90}, {@code 90s}, {@code 2m} or {@code 1h}, in seconds. */
    static int seconds(String key, JsonNode v) {
        String s = v.asText().trim();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,6})([smh]?)").matcher(s);
        if (!m.matches()) {
            throw new ConfigException(key + ": " + s + " (expected: a duration like 60s, 2m or 1h)");
        }
        int n = Integer.parseInt(m.group(1));
        return switch (m.group(2)) {
            case "m" -> n * 60;
            case "h" -> n * 3600;
            default -> n;
        };
    }

    /** Parses asplain ({@code 65010}) or asdot ({@code 1.10} = 65546). */
    public static long asNumber(String key, JsonNode v) {
        String s = (v.isBigDecimal() ? v.decimalValue().toPlainString() : v.asText()).trim();
        long asn;
        try {
            int dot = s.indexOf('.');
            if (dot < 0) {
                asn = Long.parseLong(s);
            } else {
                long hi = Long.parseLong(s.substring(0, dot)), lo = Long.parseLong(s.substring(dot + 1));
                if (hi < 0 || hi > 65535 || lo < 0 || lo > 65535) {
                    throw new NumberFormatException();
                }
                asn = hi << 16 | lo;
            }
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": " + s + " (expected: an AS number, asplain like 65010 or asdot like 1.10)");
        }
        if (asn < 1 || asn > 0xffffffffL) {
            throw new ConfigException(key + ": " + s + " (expected: 1..4294967295)");
        }
        return asn;
    }

    private static JsonNode required(JsonNode n, String key) { return required(n, key, key); }

    private static JsonNode required(JsonNode n, String fullKey, String key) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            throw new ConfigException(fullKey + ": missing");
        }
        return v;
    }

    private static InetAddress address(String key, JsonNode v) { return wrap(key, () -> Ip.parse(v.asText())); }

    private static InetAddress v4(JsonNode parent, String key, JsonNode v) {
        InetAddress a = address(key, v);
        if (!(a instanceof Inet4Address)) {
            throw new ConfigException(key + ": " + v.asText() + " (expected: an IPv4 address)");
        }
        return a;
    }

    private static int integer(String key, JsonNode v, int min, int max) {
        if (!v.canConvertToInt() || !(v.isIntegralNumber() || v.asText().matches("-?\\d+"))) {
            throw new ConfigException(key + ": " + v.asText() + " (expected: an integer " + min + ".." + max + ")");
        }
        int i = v.asInt();
        if (i < min || i > max) {
            throw new ConfigException(key + ": " + i + " (expected: " + min + ".." + max + ")");
        }
        return i;
    }

    private static boolean bool(String key, JsonNode v) {
        if (!v.isBoolean()) {
            throw new ConfigException(key + ": " + v.asText() + " (expected: true or false)");
        }
        return v.asBoolean();
    }

    private interface Body<T> { T get(); }

    private static void wrap(String key, Runnable r) { wrap(key, () -> { r.run(); return null; }); }

    /** Runs {@code b}, turning a validation error into one naming {@code key}. */
    private static <T> T wrap(String key, Body<T> b) {
        try {
            return b.get();
        } catch (ConfigException e) {
            String m = e.getMessage();
            throw new ConfigException(key.equals("config") || m.startsWith(key) ? m : key + "." + m);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            int colon = m.indexOf(": ");
            throw new ConfigException(key + ": " + (colon >= 0 ? m.substring(colon + 2) : m));
        }
    }
}
