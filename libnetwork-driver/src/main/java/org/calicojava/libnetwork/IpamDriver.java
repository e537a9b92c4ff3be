package org.calicojava.libnetwork;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.calicojava.ipam.AllocationBlock;
import org.calicojava.ipam.Ipam;
import org.calicojava.ipam.IpamException;
import org.calicojava.ipam.Pools;
import org.calicojava.model.Cidr;
import org.calicojava.model.IpPool;
import org.calicojava.model.Keys;
import org.calicojava.model.LogText;
import org.calicojava.store.KvStore;

/**
 * Docker's remote IpamDriver over calico-java IPAM: addresses are /32 (/128) from the configured pools, taken from
 * blocks affine to this host. A network without {@code --subnet} gets the pseudo pool {@code CalicoPoolIPv4}
 * (0.0.0.0/0: any enabled pool); {@code --subnet CIDR} must equal a pool's CIDR and restricts the network to it.
 * The pool data carries a dummy gateway (0.0.0.0/0) so Docker does not take a gateway address from the pool:
 * containers route through 169.254.1.1 (see {@link NetworkDriver#join}).
 */
public final class IpamDriver {
    public static final String POOL_V4 = "CalicoPoolIPv4";
    public static final String POOL_V6 = "CalicoPoolIPv6";
    static final String GATEWAY_OPTION = "com.docker.network.gateway";

    private final KvStore store;
    private final Keys keys;
    private final String host;
    private final Ipam ipam;

    public IpamDriver(KvStore store, Keys keys, String host) {
        this.store = store;
        this.keys = keys;
        this.host = host;
        this.ipam = new Ipam(store, keys);
    }

    public JsonNode capabilities(JsonNode req) {
        return Requests.object().put("RequiresMACAddress", false).put("RequiresRequestReplay", false);
    }

    public JsonNode defaultAddressSpaces(JsonNode req) {
        return Requests.object()
                .put("LocalDefaultAddressSpace", "CalicoLocalAddressSpace")
                .put("GlobalDefaultAddressSpace", "CalicoGlobalAddressSpace");
    }

    public JsonNode requestPool(JsonNode req) {
        if (!Requests.optional(req, "SubPool").isEmpty()) {
            throw PluginException.failed("calico-java IPAM does not support --ip-range: addresses come from the "
                    + "calico-java pool (javactl pool add CIDR)");
        }
        boolean v6 = req.path("V6").asBoolean(false);
        int version = v6 ? 6 : 4;
        String requested = Requests.optional(req, "Pool");
        List<IpPool> pools = Pools.list(store, keys, version);
        String poolId;
        String pool;
        if (requested.isEmpty()) {
            if (pools.stream().allMatch(IpPool::disabled)) {
                throw PluginException.failed(
                        "no enabled IPv" + version + " pool in calico-java: add one with " + "javactl pool add CIDR");
            }
            poolId = v6 ? POOL_V6 : POOL_V4;
            pool = v6 ? "::/0" : "0.0.0.0/0";
        } else {
            Cidr cidr = parse(requested, "subnet");
            IpPool match = pools.stream()
                    .filter(p -> p.cidr().equals(cidr))
                    .findFirst()
                    .orElseThrow(() -> PluginException.failed("subnet " + cidr + " does not match any calico-java IP "
                            + "pool (pools: "
                            + (pools.isEmpty()
                                    ? "none"
                                    : String.join(
                                            ", ",
                                            pools.stream()
                                                    .map(p -> p.cidr().toString())
                                                    .toList()))
                            + "); --subnet must be a pool's "
                            + "exact CIDR, or add the pool: javactl pool add " + cidr));
            if (match.disabled()) {
                throw PluginException.failed("IP pool " + cidr + " is disabled");
            }
            poolId = cidr.toString();
            pool = cidr.toString();
        }
        ObjectNode resp = Requests.object().put("PoolID", poolId).put("Pool", pool);
        resp.putObject("Data").put(GATEWAY_OPTION, v6 ? "::/0" : "0.0.0.0/0");
        Requests.note("pool {} for a network", poolId);
        return resp;
    }

    public JsonNode releasePool(JsonNode req) {
        Requests.required(req, "PoolID");
        return Requests.object();
    }

    public JsonNode requestAddress(JsonNode req) {
        String poolId = Requests.required(req, "PoolID");
        String address = Requests.optional(req, "Address");
        JsonNode options = Requests.child(req, "Options");
        if (GATEWAY_OPTION.equals(options.path("RequestAddressType").asText(""))) {
            throw PluginException.failed("calico-java networks route through " + NetworkDriver.GATEWAY_V4
                    + " and take no gateway address: drop --gateway");
        }
        Cidr only = null;
        int version;
        if (poolId.equals(POOL_V4) || poolId.equals(POOL_V6)) {
            version = poolId.equals(POOL_V4) ? 4 : 6;
        } else {
            only = parse(poolId, "PoolID");
            version = only.version();
        }
        Map<String, String> attrs = Map.of("orchestrator", NetworkDriver.ORCHESTRATOR, "host", host);
        Cidr ip;
        try {
            if (address.isEmpty()) {
                ip = ipam.autoAssign(new Ipam.AutoRequest(host, null, attrs, version, only));
            } else {
                Cidr wanted = hostAddress(address);
                if (only != null && !only.contains(wanted)) {
                    throw PluginException.failed("address " + wanted.ip() + " is not in the network's pool " + only);
                }
                ip = ipam.assign(wanted, null, attrs, host);
            }
        } catch (IpamException e) {
            throw PluginException.failed(e.getMessage());
        }
        ObjectNode resp = Requests.object().put("Address", ip.ip() + "/" + ip.maxLength());
        resp.putObject("Data");
        Requests.note("address {} assigned from {}", ip.ip(), poolId);
        return resp;
    }

    public JsonNode releaseAddress(JsonNode req) {
        Requests.required(req, "PoolID");
        String address = Requests.required(req, "Address");
        Cidr host = hostAddress(address);
        if (host.address().isAnyLocalAddress()) {
            return Requests.object(); // the dummy gateway Docker hands back on network removal
        }
        try {
            AllocationBlock.Attribute[] held = new AllocationBlock.Attribute[1];
            Ipam.Released r = ipam.release(host, a -> {
                held[0] = a;
                return madeByDocker(a);
            });
            switch (r) {
                case RELEASED -> Requests.note("address {} released", host.ip());
                case NOT_ASSIGNED -> Requests.note("address {} was not assigned", host.ip());
                case NOT_OWNER ->
                    Requests.note(
                            "address {} not released: not assigned by a Docker IPAM driver (orchestrator {}, host {},"
                                    + " handle {})",
                            host.ip(),
                            LogText.quote(held[0].secondary().get("orchestrator")),
                            LogText.quote(held[0].secondary().get("host")),
                            LogText.quote(held[0].handleId()));
            }
        } catch (IpamException e) {
            // only an address in no IP pool has nothing to release; any other failure (heavy contention, interrupted)
            // leaves it assigned, which Docker must hear about rather than forget the address
            if (Pools.containing(Pools.list(store, keys, host.version()), host).isEmpty()) {
                Requests.note("address {}: nothing to release ({})", host.ip(), e.getMessage());
                return Requests.object();
            }
            throw PluginException.failed(
                    "address " + host.ip() + " not released, it is still assigned: " + e.getMessage());
        }
        return Requests.object();
    }

    /**
     * Whether an allocation is one a Docker IPAM driver made ({@link #requestAddress}): no handle and {@code
     * orchestrator=libnetwork}, on any host (a renamed host, or a global-scope network whose address management runs
     * on whichever manager Docker picks, must still free its own). Others (a CNI pod's, a javactl container's) are not
     * Docker's to release.
     */
    private static boolean madeByDocker(AllocationBlock.Attribute a) {
        return a.handleId() == null
                && NetworkDriver.ORCHESTRATOR.equals(a.secondary().get("orchestrator"));
    }

    private static Cidr hostAddress(String text) {
        try {
            return Requests.hostAddress(text);
        } catch (IllegalArgumentException e) {
            throw PluginException.failed("address: " + e.getMessage());
        }
    }

    private static Cidr parse(String text, String what) {
        try {
            return Cidr.parse(text, false);
        } catch (IllegalArgumentException e) {
            throw PluginException.failed(what + ": " + e.getMessage());
        }
    }
}
