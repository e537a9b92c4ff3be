package org.calicojava.bgp.bfd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.config.ConfigException;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code neighbors[].bfd} of the speaker's YAML: {@code bfd: true} (defaults: 100 ms, 100 ms, 3), {@code false}
 * or absent (no session), or {@code {minRx: 100ms, minTx: 100ms, multiplier: 3, graceful: false}} (intervals as
 * {@code 100ms}, {@code 1s} or a number of milliseconds). Errors name their key, like the other loaders.
 */
public final class BfdConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> KEYS = Set.of("minRx", "minTx", "multiplier", "graceful");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,8})(ms|s)?");

    private BfdConfigLoader() {}

    public static Map<InetAddress, BfdSettings> load(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** Neighbour address to its BFD settings, for the neighbours that have BFD on. */
    public static Map<InetAddress, BfdSettings> parse(String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException("config: not valid YAML (" + e.getOriginalMessage() + ")");
        }
        Map<InetAddress, BfdSettings> out = new LinkedHashMap<>();
        JsonNode ns = root == null ? null : root.get("neighbors");
        if (ns == null || !ns.isArray()) {
            return out;
        }
        for (int i = 0; i < ns.size(); i++) {
            JsonNode n = ns.get(i);
            JsonNode b = n.get("bfd");
            if (b == null || b.isNull()) {
                continue;
            }
            String key = "neighbors[" + i + "].bfd";
            BfdSettings s = settings(key, b);
            if (s != null) {
                JsonNode a = n.get("address");
                if (a == null) {
                    throw new ConfigException("neighbors[" + i + "].address: missing");
                }
                try {
                    out.put(Ip.parse(a.asText()), s);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("neighbors[" + i + "].address: " + a.asText() + " (expected: an IP address)");
                }
            }
        }
        return out;
    }

    static BfdSettings settings(String key, JsonNode b) {
        if (b.isBoolean()) {
            return b.asBoolean() ? BfdSettings.DEFAULT : null;
        }
        if (!b.isObject()) {
            throw new ConfigException(key + ": " + b.asText() + " (expected: true, false or a mapping with minRx, minTx, multiplier, graceful)");
        }
        for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw new ConfigException(key + "." + k + ": unknown key (expected one of: graceful, minRx, minTx, multiplier)");
            }
        }
        BfdSettings d = BfdSettings.DEFAULT;
        long rx = b.has("minRx") ? micros(key + ".minRx", b.get("minRx")) : d.minRxUs();
        long tx = b.has("minTx") ? micros(key + ".minTx", b.get("minTx")) : d.minTxUs();
        int mult = d.multiplier();
        if (b.has("multiplier")) {
            JsonNode m = b.get("multiplier");
            if (!m.isIntegralNumber() && !m.asText().matches("\\d{1,3}")) {
                throw new ConfigException(key + ".multiplier: " + m.asText() + " (expected: an integer 1..255)");
            }
            mult = m.asInt();
        }
        boolean graceful = false;
        if (b.has("graceful")) {
            if (!b.get("graceful").isBoolean()) {
                throw new ConfigException(key + ".graceful: " + b.get("graceful").asText() + " (expected: true or false)");
            }
            graceful = b.get("graceful").asBoolean();
        }
        try {
            return new BfdSettings(rx, tx, mult, graceful);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + e.getMessage().substring(3));
        }
    }

    /** {@code 100ms}, {@code 1s} or a number of milliseconds, in microseconds. */
    static long micros(String key, JsonNode v) {
        Matcher m = DURATION.matcher(v.asText().trim());
        if (!m.matches()) {
            throw new ConfigException(key + ": " + v.asText() + " (expected: a duration like 100ms or 1s)");
        }
        long n = Long.parseLong(m.group(1));
        return "s".equals(m.group(2)) ? n * 1_000_000 : n * 1000;
    }
}
