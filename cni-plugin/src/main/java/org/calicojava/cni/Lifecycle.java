package org.calicojava.cni;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.model.Keys;
import org.calicojava.model.LogText;
import org.calicojava.model.WorkloadEndpoint;
import org.calicojava.netlink.InterfaceNames;
import org.calicojava.store.DatastoreException;
import org.calicojava.store.KeyValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CNI 1.1.0 commands about the plugin rather than one attachment. STATUS: ready when etcd answers and (with
 * calico-java-ipam) an IP pool exists; else code 50. GC: every cni endpoint of this network on this host whose
 * container id and interface are not in {@code cni.dev/valid-attachments} is deleted as DEL would (addresses,
 * endpoint, veth). A configuration without the list is refused (code 7, nothing deleted); an empty list, or null
 * (CRI-O's for a network without pods), means no attachment is valid. An attachment whose removal fails is logged and skipped; GC then fails (code
 * 100) after trying all the others.
 */
final class Lifecycle {
    static final String NETWORK_LABEL = "calico-java.org/network";
    static final String IFNAME_LABEL = "calico-java.org/interface";
    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    private Lifecycle() {}

    /** The network's name when it cannot be a label value (over 63 characters, or ending in '.', '-', '_'). */
    static final String NETWORK_HASH_LABEL = "calico-java.org/network-sha256";

    /** The interface's name, as hex of its UTF-8 bytes, when it cannot be a label value (e.g. {@code eth0.}). */
    static final String IFNAME_HEX_LABEL = "calico-java.org/interface-hex";

    private static final java.util.regex.Pattern LABEL_VALUE =
            java.util.regex.Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

    /**
     * Labels of a CNI endpoint, so that GC can tell its network's attachments: the network's and the interface's names
     * as they are where they can be label values, else the network's as the first 56 hex digits of its SHA-256 and the
     * interface's as the hex of its bytes (a record of an older plugin has no label then, and GC leaves it).
     */
    static Map<String, String> labels(Context c) {
        Map<String, String> l = new HashMap<>();
        String net = c.conf.name();
        if (LABEL_VALUE.matcher(net).matches()) {
            l.put(NETWORK_LABEL, net);
        } else {
            l.put(NETWORK_HASH_LABEL, networkHash(net));
        }
        String ifname = c.env.ifname();
        if (LABEL_VALUE.matcher(ifname).matches()) {
            l.put(IFNAME_LABEL, ifname);
        } else {
            l.put(IFNAME_HEX_LABEL, java.util.HexFormat.of().formatHex(ifname.getBytes(StandardCharsets.UTF_8)));
        }
        return l;
    }

    static String networkHash(String name) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d).substring(0, 56);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JVM has SHA-256
        }
    }

    /** Whether endpoint labels {@code l} say network {@code name} (either form; an older plugin wrote the plain one). */
    private static boolean ofNetwork(Map<String, String> l, String name) {
        return name.equals(l.get(NETWORK_LABEL)) || networkHash(name).equals(l.get(NETWORK_HASH_LABEL));
    }

    /**
     * The interface name the labels give, or null: none, a hex form that does not decode, or a name CNI_IFNAME could
     * not be (the labels come from etcd; GC passes the name on to DEL as if a runtime had sent it).
     */
    static String ifname(Map<String, String> l) {
        String name = l.get(IFNAME_LABEL);
        String hex = l.get(IFNAME_HEX_LABEL);
        if (name == null && hex != null && hex.length() <= 62) {
            try {
                name = new String(java.util.HexFormat.of().parseHex(hex), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return name == null || InterfaceNames.problem(name) != null ? null : name;
    }

    static void status(Context c) {
        try {
            Keys keys = c.keys();
            boolean pools = !c.store().list(keys.pools(4)).kvs().isEmpty()
                    || !c.store().list(keys.pools(6)).kvs().isEmpty();
            if (c.conf.ipamType().equals(Versions.IPAM_TYPE) && !pools) {
                throw new CniException(
                        CniException.NOT_AVAILABLE, "no IP pool in calico-java (add one: javactl pool add CIDR)");
            }
        } catch (DatastoreException e) {
            throw new CniException(CniException.NOT_AVAILABLE, "etcd: " + e.getMessage());
        }
    }

    static void gc(Context c) {
        JsonNode valid = c.conf.raw().get("cni.dev/valid-attachments");
        if (valid == null) {
            // without the list every attachment would look stale: refuse rather than delete them all
            throw NetConf.invalid("cni.dev/valid-attachments: missing (expected: a list, empty when none is valid)");
        }
        if (!valid.isArray() && !valid.isNull()) { // null: CRI-O's list for a network without pods (a nil slice)
            throw NetConf.invalid("cni.dev/valid-attachments: expected a list");
        }
        Set<String> keep = new HashSet<>();
        for (JsonNode a : valid) {
            keep.add(a.path("containerID").asText("") + "/" + a.path("ifname").asText(""));
        }
        String host = c.host();
        String prefix = c.keys().workloads(host) + NetworkPlugin.ORCHESTRATOR + "/";
        List<KeyValue> kvs = c.store().list(prefix).kvs();
        List<String> failed = new ArrayList<>();
        for (KeyValue kv : kvs) {
            WorkloadEndpoint wep;
            try {
                wep = WorkloadEndpoint.read(kv.value());
            } catch (RuntimeException e) {
                continue; // not ours to judge
            }
            String container = Keys.segmentAfter(kv.key(), prefix, 0);
            if (container == null) {
                continue;
            }
            String ifname = ifname(wep.labels());
            if (!ofNetwork(wep.labels(), c.conf.name()) || ifname == null || keep.contains(container + "/" + ifname)) {
                continue;
            }
            CniEnv stale = new CniEnv("DEL", container, "", ifname, Map.of(), c.env.path());
            if (!NetworkPlugin.endpointId(stale).equals(Keys.lastSegment(kv.key()))) {
                continue; // not made by this plugin
            }
            Map<String, String> env = new HashMap<>(c.processEnv);
            env.put("CNI_CONTAINERID", container);
            env.put("CNI_IFNAME", ifname);
            env.put("CNI_NETNS", "");
            try (AttachmentLock held =
                            AttachmentLock.acquire(Cli.Kind.NETWORK, stale, ExecPlugin.timeoutSeconds(c.processEnv));
                    Context sc = new Context(stale, c.conf, env, c.stdin)) {
                NetworkPlugin.del(sc); // under the attachment's lock, as a DEL of the runtime's
                LOG.info("GC: removed the stale attachment {} {} ({})", container, ifname, wep.name());
            } catch (RuntimeException e) {
                // one attachment that cannot be removed now must not keep the others
                CniException ce = NetworkPlugin.mapped(e);
                LOG.warn(
                        "GC: could not remove the stale attachment {} {}: {}",
                        LogText.quote(container),
                        LogText.quote(ifname),
                        ce.getMessage());
                failed.add(container + " " + ifname + ": " + ce.getMessage());
            }
        }
        if (!failed.isEmpty()) {
            throw new CniException(
                    CniException.PLUGIN_FAILURE,
                    "GC: " + failed.size() + " stale attachment(s) not removed (the others were): "
                            + failed.get(0)
                            + (failed.size() > 1 ? " (and " + (failed.size() - 1) + " more)" : ""));
        }
    }
}
