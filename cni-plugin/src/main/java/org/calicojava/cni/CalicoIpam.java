package org.calicojava.cni;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.calicojava.ipam.AllocationBlock;
import org.calicojava.ipam.Ipam;
import org.calicojava.ipam.IpamException;
import org.calicojava.ipam.IpamHandle;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.model.Names;
import org.calicojava.store.KvStore;

/**
 * calico-java-ipam: the IPAM of javactl and the Docker driver (etcd-schema's {@link Ipam}: blocks with host affinity)
 * for one CNI attachment. The handle is {@link #handle} ({@code cni.CONTAINERID.SUFFIX}, unambiguous), so a
 * retried ADD gets the addresses it already has, and DEL releases by handle (falling back to the handle of earlier
 * versions). IPAM config: {@code assign_ipv4} (default true), {@code assign_ipv6} (default false), {@code ipv4_pools} / {@code ipv6_pools}
 * (CIDRs of existing pools to take from, in order; default: any enabled pool).
 */
final class CalicoIpam {
    static final String ORCHESTRATOR_CNI = "cni";
    /** The {@code plugin} attribute of an allocation the network plugin made (it writes the endpoint record). */
    static final String NETWORK_PLUGIN = "calico-java-cni";
    /** The {@code plugin} attribute of an allocation the stand-alone IPAM plugin made (no endpoint record). */
    static final String IPAM_PLUGIN = "calico-java-ipam";

    private final KvStore store;
    private final Keys keys;
    private final String host;
    private final Ipam ipam;

    CalicoIpam(KvStore store, Keys keys, String host) {
        this.store = store;
        this.keys = keys;
        this.host = host;
        this.ipam = new Ipam(store, keys);
    }

    /** Prefix of every handle this plugin makes; javactl's start {@code javactl.}, the Docker driver's have none. */
    static final String HANDLE_PREFIX = "cni.";

    private static final Pattern PLAIN_IFNAME = Pattern.compile("[A-Za-z0-9-]+");
    private static final int HANDLE_MAX = 253;

    /**
     * The IPAM handle of an attachment: {@code cni.CONTAINERID.SUFFIX}, SUFFIX being the interface name when it is
     * only letters, digits and '-', else {@code _} and the hex of its UTF-8 bytes. SUFFIX has no '.', so the part
     * after the last '.' is the interface and the rest the container id: no two attachments share a handle, and none
     * shares javactl's ({@code javactl.NAME}) or the Docker driver's (none). Always in etcd-schema's handle character
     * set; it may be longer than its 253 characters ({@link #handleFits}).
     */
    static String handle(CniEnv env) {
        String ifname = env.ifname();
        String suffix = PLAIN_IFNAME.matcher(ifname).matches()
                ? ifname
                : "_" + HexFormat.of().formatHex(ifname.getBytes(StandardCharsets.UTF_8));
        return HANDLE_PREFIX + env.containerId() + "." + suffix;
    }

    static boolean handleFits(String handle) {
        return handle.length() <= HANDLE_MAX;
    }

    /** The handle of an ADD, refused (code 7, before anything is made) when over-long. */
    static String handleForAdd(CniEnv env) {
        String h = handle(env);
        if (!handleFits(h)) {
            throw NetConf.invalid("CNI_CONTAINERID and CNI_IFNAME: the IPAM handle would be " + h.length()
                    + " characters (expected: at most " + HANDLE_MAX + "; use a shorter container id)");
        }
        return h;
    }

    /** The handle before "cni." handles (container id, ".IFNAME" appended unless eth0): only for DEL after an upgrade. */
    static String legacyHandle(CniEnv env) {
        return env.ifname().equals("eth0") ? env.containerId() : env.containerId() + "." + env.ifname();
    }

    /**
     * DEL's release: the attachment's handle, and only if that held nothing, its legacy handle (an attachment made
     * before the change) provided every allocation on it says {@code orchestrator=cni}, never javactl's or the Docker
     * driver's. A handle that cannot exist (over-long, or a legacy one outside the character set) holds nothing.
     * {@code endpointNets}: the addresses of this attachment's endpoint record (calico-java-cni), or null (the
     * stand-alone IPAM plugin, which has none); when given, the legacy handle is released only if its addresses are
     * all among them, since the legacy handle {@code abc.net1} of container abc's net1 is also that of container
     * abc.net1's eth0. Without them (null) the legacy handle is never released: nothing on it tells whose it is
     * (legacy allocations carry only {@code orchestrator=cni}, no containerID or ifname).
     */
    List<Cidr> releaseAttachment(CniEnv env, Set<Cidr> endpointNets) {
        String h = handle(env);
        List<Cidr> got = handleFits(h) ? release(h) : List.of();
        if (!got.isEmpty()) {
            return got;
        }
        String legacy = legacyHandle(env);
        try {
            Names.check("handle", legacy);
        } catch (IllegalArgumentException e) {
            return got;
        }
        if (endpointNets == null) {
            return got;
        }
        List<Cidr> legacyAddresses = addressesOf(legacy);
        if (legacyAddresses.isEmpty() || !endpointNets.containsAll(legacyAddresses)) {
            return got;
        }
        try {
            return ipam.releaseByHandle(
                    legacy, a -> ORCHESTRATOR_CNI.equals(a.secondary().get("orchestrator")));
        } catch (IpamException e) {
            throw mapped(e);
        }
    }

    /** The attachment's addresses: its handle's, else (made before "cni." handles) its legacy handle's if cni's. */
    List<Cidr> addressesOfAttachment(CniEnv env) {
        String h = handle(env);
        List<Cidr> have = handleFits(h) ? addressesOf(h) : List.of();
        if (!have.isEmpty()) {
            return have;
        }
        String legacy = legacyHandle(env);
        try {
            Names.check("handle", legacy);
        } catch (IllegalArgumentException e) {
            return have;
        }
        return addressesOf(legacy, a -> ORCHESTRATOR_CNI.equals(a.secondary().get("orchestrator")));
    }

    /**
     * The attachment's addresses (its handle's), assigning them first if it has none, with the attributes
     * {@code orchestrator=cni}, {@code containerID}, {@code ifname} and {@code plugin}: the plugin that asked, the
     * network plugin (which writes the endpoint record that names the address's user) or the stand-alone IPAM plugin
     * (whose caller writes none; javactl's {@code ipam release --from-report} never releases those). On failure
     * nothing stays assigned.
     */
    List<Cidr> assign(CniEnv env, JsonNode conf, String plugin) {
        String handle = handleForAdd(env);
        Map<String, String> attrs = Map.of(
                "orchestrator",
                ORCHESTRATOR_CNI,
                "containerID",
                env.containerId(),
                "ifname",
                env.ifname(),
                "plugin",
                plugin);
        return assign(handle, attrs, conf);
    }

    private List<Cidr> assign(String handle, Map<String, String> attrs, JsonNode conf) {
        List<Cidr> have = addressesOf(handle);
        if (!have.isEmpty()) {
            return have;
        }
        boolean v4 = flag(conf, "assign_ipv4", true);
        boolean v6 = flag(conf, "assign_ipv6", false);
        if (!v4 && !v6) {
            throw NetConf.invalid("ipam: assign_ipv4 and assign_ipv6 are both false");
        }
        List<Cidr> got = new ArrayList<>();
        try {
            if (v4) {
                got.add(assignOne(handle, attrs, 4, pools(conf, "ipv4_pools", 4)));
            }
            if (v6) {
                got.add(assignOne(handle, attrs, 6, pools(conf, "ipv6_pools", 6)));
            }
            return got;
        } catch (RuntimeException e) {
            try {
                ipam.releaseByHandle(handle);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private Cidr assignOne(String handle, Map<String, String> attrs, int version, List<Cidr> pools) {
        if (pools.isEmpty()) {
            return auto(new Ipam.AutoRequest(host, handle, attrs, version, null));
        }
        CniException last = null;
        for (Cidr pool : pools) {
            try {
                return auto(new Ipam.AutoRequest(host, handle, attrs, version, pool));
            } catch (CniException e) {
                if (e.code() != CniException.POOL_EXHAUSTED) {
                    throw e;
                }
                last = e;
            }
        }
        throw last;
    }

    private Cidr auto(Ipam.AutoRequest req) {
        try {
            return ipam.autoAssign(req);
        } catch (IpamException e) {
            throw mapped(e);
        }
    }

    static CniException mapped(IpamException e) {
        String m = e.getMessage();
        int code = m.contains("exhausted") || m.contains("no free address")
                ? CniException.POOL_EXHAUSTED
                : m.contains("contention") ? CniException.TRY_AGAIN_LATER : CniException.PLUGIN_FAILURE;
        return new CniException(code, "calico-java-ipam: " + m);
    }

    List<Cidr> release(String handle) {
        try {
            return ipam.releaseByHandle(handle);
        } catch (IpamException e) {
            throw mapped(e);
        }
    }

    /** The addresses assigned to {@code handle}, read from its handle record and blocks. */
    List<Cidr> addressesOf(String handle) {
        return addressesOf(handle, a -> true);
    }

    private List<Cidr> addressesOf(String handle, Predicate<AllocationBlock.Attribute> which) {
        Optional<IpamHandle> h = store.get(keys.ipamHandle(handle)).map(kv -> Json.read(kv.value(), IpamHandle.class));
        List<Cidr> out = new ArrayList<>();
        if (h.isEmpty()) {
            return out;
        }
        for (String blockText : h.get().block().keySet()) {
            Cidr block = Cidr.parse(blockText);
            store.get(keys.ipamBlock(block))
                    .map(kv -> AllocationBlock.read(keys, kv.key(), kv.value()))
                    .ifPresent(b -> b.ordinalsOf(handle).stream()
                            .filter(o -> which.test(b.attributeOf(o)))
                            .forEach(o -> out.add(block.addressAt(o))));
        }
        out.sort(Cidr::compareTo);
        return out;
    }

    private static boolean flag(JsonNode conf, String field, boolean dflt) {
        JsonNode v = conf == null ? null : conf.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        String t = v.asText();
        if (!t.equals("true") && !t.equals("false")) {
            throw NetConf.invalid("ipam " + field + ": " + v + " (expected: true or false)");
        }
        return t.equals("true");
    }

    private static List<Cidr> pools(JsonNode conf, String field, int version) {
        JsonNode v = conf == null ? null : conf.get(field);
        List<Cidr> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw NetConf.invalid("ipam " + field + ": expected a list of pool CIDRs");
        }
        for (JsonNode p : v) {
            Cidr c;
            try {
                c = Cidr.parse(p.asText(), true);
            } catch (IllegalArgumentException e) {
                throw NetConf.invalid("ipam " + field + ": " + e.getMessage());
            }
            if (c.version() != version) {
                throw NetConf.invalid("ipam " + field + ": " + c + " is not IPv" + version);
            }
            out.add(c);
        }
        return out;
    }
}
