package org.calicojava.cni;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.calicojava.model.Json;
import org.calicojava.model.LogText;
import org.calicojava.model.Names;

/**
 * The network configuration a runtime passes on stdin, validated: {@code cniVersion}, {@code name}, {@code type},
 * {@code nodename}, {@code etcd_endpoints} / {@code etcd_ca_cert_file} / {@code etcd_cert_file} /
 * {@code etcd_key_file} / {@code etcd_prefix}, {@code ipam}, {@code log_level}, {@code mtu}, {@code profile} or
 * {@code profiles} (default: the network name), {@code prevResult}. {@code raw} is the whole object (passed on to a
 * delegated IPAM plugin as it came).
 */
public record NetConf(
        String cniVersion,
        String name,
        String type,
        String nodename,
        Map<String, String> etcdEnv,
        JsonNode ipam,
        String logLevel,
        int mtu,
        List<String> profiles,
        JsonNode prevResult,
        ObjectNode raw) {
    private static final Pattern NETWORK_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]{0,127}");
    /** A config is a few KiB at most; this bounds what we read from stdin. */
    public static final int MAX_BYTES = 1024 * 1024;

    /** Only the version (for VERSION, and for the error JSON of a config that fails later). */
    public static String versionOf(byte[] stdin) {
        try {
            JsonNode n = Json.MAPPER.readTree(stdin);
            return n != null && n.path("cniVersion").isTextual()
                    ? n.get("cniVersion").asText()
                    : "";
        } catch (java.io.IOException | RuntimeException e) {
            return "";
        }
    }

    public static NetConf parse(byte[] stdin) {
        if (stdin.length > MAX_BYTES) {
            throw new CniException(CniException.DECODE_FAILURE, "network configuration: over " + MAX_BYTES + " bytes");
        }
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(new String(stdin, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new CniException(
                    CniException.DECODE_FAILURE,
                    "network configuration is not JSON: " + LogText.quote(e.getOriginalMessage()));
        }
        if (n == null || !n.isObject()) {
            throw new CniException(
                    CniException.DECODE_FAILURE, "network configuration: expected a JSON object on stdin");
        }
        ObjectNode o = (ObjectNode) n;
        String version = text(o, "cniVersion", true);
        Versions.require(version);
        String name = text(o, "name", true);
        if (!NETWORK_NAME.matcher(name).matches()) {
            throw invalid("name: " + LogText.quote(name) + " (expected: letters, digits, '_', '.', '-')");
        }
        String type = text(o, "type", true);
        String nodename = text(o, "nodename", false);
        if (nodename != null) {
            Names.check("nodename", nodename);
        }
        Map<String, String> etcd = new LinkedHashMap<>();
        putIf(etcd, "ETCD_ENDPOINTS", text(o, "etcd_endpoints", false));
        putIf(etcd, "ETCD_CA_CERT_FILE", text(o, "etcd_ca_cert_file", false));
        putIf(etcd, "ETCD_CERT_FILE", text(o, "etcd_cert_file", false));
        putIf(etcd, "ETCD_KEY_FILE", text(o, "etcd_key_file", false));
        putIf(etcd, "CALICO_ETCD_PREFIX", text(o, "etcd_prefix", false));
        JsonNode ipam = o.get("ipam");
        if (ipam != null
                && (!ipam.isObject()
                        || !ipam.path("type").isTextual()
                        || ipam.get("type").asText().isBlank())) {
            throw invalid("ipam: expected an object with a \"type\" (e.g. {\"type\": \"calico-java-ipam\"})");
        }
        String level = text(o, "log_level", false);
        level = level == null ? "warn" : level.toLowerCase();
        if (!List.of("debug", "info", "warn", "warning", "error").contains(level)) {
            throw invalid("log_level: " + LogText.quote(level) + " (expected: debug, info, warning or error)");
        }
        int mtu = 0;
        if (o.has("mtu")) {
            if (!o.get("mtu").canConvertToInt()
                    || o.get("mtu").asInt() != 0
                            && (o.get("mtu").asInt() < 68 || o.get("mtu").asInt() > 65535)) {
                throw invalid(
                        "mtu: " + LogText.quote(o.get("mtu").toString()) + " (expected: 68..65535, or 0: default)");
            }
            mtu = o.get("mtu").asInt();
        }
        return new NetConf(
                version,
                name,
                type,
                nodename,
                etcd,
                ipam,
                level.equals("warning") ? "warn" : level,
                mtu,
                profiles(o, name),
                o.get("prevResult"),
                o);
    }

    private static List<String> profiles(ObjectNode o, String name) {
        List<String> out = new ArrayList<>();
        JsonNode p = o.has("profiles") ? o.get("profiles") : o.path("policy").get("profiles");
        String single = text(o, "profile", false);
        if (p != null) {
            if (!p.isArray()) {
                throw invalid("profiles: expected a list of profile names");
            }
            p.forEach(e -> out.add(e.asText()));
        } else if (single != null) {
            out.add(single);
        } else {
            out.add(name);
        }
        out.forEach(x -> Names.check("profile", x));
        return List.copyOf(out);
    }

    private static void putIf(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    private static String text(ObjectNode o, String field, boolean required) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw invalid("\"" + field + "\" is missing from the network configuration");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw invalid("\"" + field + "\": " + LogText.quote(v.toString()) + " (expected: a non-empty string)");
        }
        return v.asText();
    }

    static CniException invalid(String msg) {
        return new CniException(CniException.INVALID_CONFIG, "network configuration: " + msg);
    }

    /** The IPAM type: the configured one, or calico-java-ipam. */
    public String ipamType() {
        return ipam == null ? Versions.IPAM_TYPE : ipam.get("type").asText();
    }
}
