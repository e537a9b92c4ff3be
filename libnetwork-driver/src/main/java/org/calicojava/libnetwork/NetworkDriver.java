package org.calicojava.libnetwork;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.calicojava.ipam.Pools;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.model.LogText;
import org.calicojava.model.ProfileRules;
import org.calicojava.model.WorkloadEndpoint;
import org.calicojava.netlink.WorkloadInterface;
import org.calicojava.store.Compare;
import org.calicojava.store.KeyExistsException;
import org.calicojava.store.KeyValue;
import org.calicojava.store.KvStore;
import org.calicojava.store.Op;

/**
 * Docker's remote NetworkDriver with Calico's semantics: a network is a profile named after the network id (members
 * may talk to each other, all egress allowed); an endpoint is a workload endpoint
 * {@code /calico/v1/host/<host>/workload/libnetwork/libnetwork/endpoint/<endpoint id>}; Join makes the veth pair and
 * tells Docker to route through 169.254.1.1 (answered by proxy ARP on the host side). Stateless apart from etcd and
 * the kernel, so requests may run concurrently and the driver may restart at any time; Join, Leave and DeleteEndpoint
 * of one endpoint, and the adoption of its older veth ({@link PreUpgradeVeths}), hold that endpoint's lock
 * ({@link EndpointLocks}) while they read and change its record and veth.
 */
public final class NetworkDriver {
    public static final String ORCHESTRATOR = "libnetwork";
    public static final String WORKLOAD = "libnetwork";
    public static final String MAC = WorkloadInterface.HOST_MAC;
    public static final String GATEWAY_V4 = WorkloadInterface.GATEWAY_V4;
    /** The EUI-64 link-local address of an interface with MAC ee:ee:ee:ee:ee:ee: the host veth's, the IPv6 gateway. */
    public static final String GATEWAY_V6 = WorkloadInterface.GATEWAY_V6;

    private final KvStore store;
    private final Keys keys;
    private final String host;
    private final Dataplane dataplane;
    private final String scope;
    private final EndpointLocks locks = new EndpointLocks();
    /** The create revision of the host's veth-tags marker once known (it is never removed by the driver); 0 before. */
    private volatile long marker;
    /** Set once a pass of {@link #adoptUntaggedVeths} has succeeded; until then requests adopt on their own. */
    private volatile boolean adoptionDone;

    /**
     * @param scope what GetCapabilities answers: "local" (the default: Docker keeps the network on this engine) or
     *              "global" (Calico's answer; Docker 20.10 then accepts the network only on a swarm manager)
     */
    public NetworkDriver(KvStore store, Keys keys, String host, Dataplane dataplane, String scope) {
        if (!scope.equals("local") && !scope.equals("global")) {
            throw new IllegalArgumentException("scope: '" + scope + "' (expected: local or global)");
        }
        this.store = store;
        this.keys = keys;
        this.host = host;
        this.dataplane = dataplane;
        this.scope = scope;
    }

    public NetworkDriver(KvStore store, Keys keys, String host, Dataplane dataplane) {
        this(store, keys, host, dataplane, "local");
    }

    public static String hostInterface(String endpointId) {
        return WorkloadInterface.hostName(endpointId);
    }

    public static String tempInterface(String endpointId) {
        return WorkloadInterface.tempName(endpointId);
    }

    /**
     * Tags the untagged veths of this host's endpoint records written by a driver that did not tag (before the host's
     * marker); called once at start, before requests are served. See {@link PreUpgradeVeths}.
     */
    public int adoptUntaggedVeths() {
        int adopted = PreUpgradeVeths.adopt(store, keys, host, dataplane, locks, marker())
                .adopted();
        adoptionDone = true;
        return adopted;
    }

    /** The create revision of the host's marker, which is created if absent. */
    private long marker() {
        long m = marker;
        if (m == 0) {
            m = PreUpgradeVeths.ensureMarker(store, keys, host);
            marker = m;
        }
        return m;
    }

    /** The per-endpoint locks (tests hold one to stand for a request in progress). */
    EndpointLocks locks() {
        return locks;
    }

    public JsonNode capabilities(JsonNode req) {
        return Requests.object().put("Scope", scope).put("ConnectivityScope", "global");
    }

    public JsonNode createNetwork(JsonNode req) {
        String id = Requests.networkId(req, true);
        for (String family : List.of("IPv4Data", "IPv6Data")) {
            JsonNode data = req.get(family);
            if (data == null || !data.isArray()) {
                continue;
            }
            for (JsonNode d : data) {
                String space = Requests.optional(d, "AddressSpace");
                String gw = Requests.optional(d, "Gateway");
                if (!space.startsWith("Calico") && !gw.equals("0.0.0.0/0") && !gw.equals("::/0")) {
                    throw PluginException.failed("calico-java networks need calico-java IPAM: use docker network "
                            + "create -d calico-java --ipam-driver calico-java NAME (address space '" + space + "')");
                }
            }
        }
        // only what is absent is written: a re-sent CreateNetwork (another engine, --scope global, a retry) must not
        // reset the rules, tags or labels an operator edited
        List<Op> profile = List.of(
                Op.put(keys.profileRules(id), Json.write(ProfileRules.defaultFor(id))),
                Op.put(keys.profileTags(id), Json.write(List.of(id))),
                Op.put(keys.profileLabels(id), "{}"));
        if (store.txn(profile.stream().map(op -> Compare.absent(op.key())).toList(), profile)) {
            Requests.note("network {}: profile created", shortId(id));
            return Requests.object();
        }
        int filled = 0;
        for (Op op : profile) { // a partial profile gets its missing keys, each only if still absent
            if (store.txn(List.of(Compare.absent(op.key())), List.of(op))) {
                filled++;
            }
        }
        Requests.note(
                "network {}: profile exists, kept{}",
                shortId(id),
                filled > 0 ? " (" + filled + " missing keys added)" : "");
        return Requests.object();
    }

    public JsonNode deleteNetwork(JsonNode req) {
        String id = Requests.networkId(req, true);
        long n = store.deletePrefix(keys.profile(id) + "/");
        Requests.note("network {}: profile {}", shortId(id), n > 0 ? "removed" : "was not there");
        return Requests.object();
    }

    public JsonNode createEndpoint(JsonNode req) {
        String net = Requests.networkId(req, true);
        String ep = Requests.endpointId(req);
        JsonNode iface = Requests.child(req, "Interface");
        List<Cidr> v4 = new ArrayList<>();
        List<Cidr> v6 = new ArrayList<>();
        addAddress(iface, "Address", v4, v6);
        addAddress(iface, "AddressIPv6", v4, v6);
        if (v4.isEmpty() && v6.isEmpty()) {
            throw PluginException.failed("endpoint " + shortId(ep) + " has no address: calico-java networks need "
                    + "calico-java IPAM (--ipam-driver calico-java)");
        }
        if (store.get(keys.profileRules(net)).isEmpty()) {
            throw PluginException.failed("unknown network " + shortId(net) + ": it has no calico-java profile in etcd "
                    + "(was it created with -d calico-java against this etcd?)");
        }
        WorkloadEndpoint wep = new WorkloadEndpoint("active", hostInterface(ep), MAC, List.of(net), v4, v6, Map.of());
        marker(); // records below the marker's revision may have their untagged veths adopted: not this one
        try {
            store.create(endpointKey(ep), Json.write(wep));
        } catch (KeyExistsException e) {
            throw PluginException.failed("endpoint " + shortId(ep) + " exists already on host " + host);
        }
        Requests.note("endpoint {}: created on network {} with {}", shortId(ep), shortId(net), addresses(wep));
        return Requests.object();
    }

    private static void addAddress(JsonNode iface, String field, List<Cidr> v4, List<Cidr> v6) {
        String a = Requests.optional(iface, field);
        if (a.isEmpty()) {
            return;
        }
        Cidr c;
        try {
            c = Requests.hostAddress(a);
        } catch (IllegalArgumentException e) {
            throw PluginException.badRequest("Interface." + field + ": " + e.getMessage());
        }
        (c.isIpv4() ? v4 : v6).add(c);
    }

    public JsonNode deleteEndpoint(JsonNode req) {
        String ep = Requests.endpointId(req);
        Requests.networkId(req, false);
        try (EndpointLocks.Held held = locks.hold(ep)) {
            Optional<KeyValue> record = store.get(endpointKey(ep));
            if (record.isEmpty()) {
                Requests.note("endpoint {}: was not there (no endpoint record; no veth touched)", shortId(ep));
                return Requests.object();
            }
            String veth = removeOwnVeth(ep, record.get());
            store.delete(endpointKey(ep));
            Requests.note("endpoint {}: removed, veth {} {}", shortId(ep), hostInterface(ep), veth);
            return Requests.object();
        }
    }

    public JsonNode endpointOperInfo(JsonNode req) {
        Requests.endpointId(req);
        return Requests.object().set("Value", Requests.object());
    }

    public JsonNode join(JsonNode req) {
        // every field is checked before anything is made: a bad request leaves no veth behind
        String ep = Requests.endpointId(req);
        Requests.networkId(req, false);
        String sandbox = Requests.optional(req, "SandboxKey");
        Requests.child(req, "Options");
        try (EndpointLocks.Held held = locks.hold(ep)) {
            return join(ep, sandbox);
        }
    }

    private JsonNode join(String ep, String sandbox) {
        KeyValue record = store.get(endpointKey(ep))
                .orElseThrow(() -> PluginException.failed(
                        "unknown endpoint " + shortId(ep) + " on host " + host + " (no workload endpoint in etcd)"));
        WorkloadEndpoint wep = WorkloadEndpoint.read(record.value());
        String hostIf = hostInterface(ep);
        Optional<String> alias = hostAlias(ep, record);
        if (alias.isPresent()) {
            if (!alias.get().equals(tag(ep))) {
                throw PluginException.failed("interface " + hostIf + " exists and was not made by calico-java for "
                        + "endpoint " + shortId(ep) + " (another workload's?): left alone, not joined");
            }
            dataplane.deleteVeth(hostIf); // this endpoint's own pair from an earlier Join: stale
        }
        if (dataplane.exists(tempInterface(ep))) {
            throw PluginException.failed("interface " + tempInterface(ep) + " exists and was not made by calico-java "
                    + "for endpoint " + shortId(ep) + ": left alone, not joined");
        }
        dataplane.createVeth(
                hostIf, tempInterface(ep), Pools.workloadMtu(store, keys, host, dataplane.uplinkMtu()), tag(ep));
        ObjectNode resp = Requests.object();
        resp.putObject("InterfaceName").put("SrcName", tempInterface(ep)).put("DstPrefix", "eth");
        var routes = resp.putArray("StaticRoutes");
        if (!wep.ipv4Nets().isEmpty()) {
            resp.put("Gateway", GATEWAY_V4);
            routes.addObject().put("Destination", GATEWAY_V4 + "/32").put("RouteType", 1);
        }
        if (!wep.ipv6Nets().isEmpty()) {
            resp.put("GatewayIPv6", GATEWAY_V6);
            routes.addObject().put("Destination", GATEWAY_V6 + "/128").put("RouteType", 1);
        }
        resp.put("DisableGatewayService", true);
        Requests.note(
                "endpoint {}: joined, veth {}{} ({} {})",
                shortId(ep),
                hostIf,
                alias.isPresent() ? " (its stale one replaced)" : "",
                addresses(wep),
                LogText.quote(sandbox));
        return resp;
    }

    public JsonNode leave(JsonNode req) {
        String ep = Requests.endpointId(req);
        Requests.networkId(req, false);
        try (EndpointLocks.Held held = locks.hold(ep)) {
            Optional<KeyValue> record = store.get(endpointKey(ep));
            if (record.isEmpty()) {
                Requests.note("endpoint {}: left; no endpoint record, so no veth touched", shortId(ep));
                return Requests.object();
            }
            Requests.note(
                    "endpoint {}: left, veth {} {}", shortId(ep), hostInterface(ep), removeOwnVeth(ep, record.get()));
            return Requests.object();
        }
    }

    /**
     * The alias this driver gives each host veth it makes: the full endpoint id, since the name holds only 11 of its
     * 64 characters (a CNI pod's, a javactl container's or another endpoint's veth may share them).
     */
    static String tag(String endpointId) {
        return "calico-java libnetwork endpoint " + endpointId;
    }

    /**
     * The alias of the endpoint's host veth, or empty when there is none. Until a pass of {@link #adoptUntaggedVeths}
     * has succeeded, an untagged veth of a record older than the host's marker is first adopted here, as the pass
     * would: a Leave or DeleteEndpoint that comes before the pass reaches the endpoint then removes the veth instead of
     * leaving it behind (the pass then finds the record gone). The caller holds the endpoint's lock.
     */
    private Optional<String> hostAlias(String ep, KeyValue record) {
        Optional<String> alias = dataplane.alias(hostInterface(ep));
        if (adoptionDone || alias.isEmpty() || !alias.get().isEmpty() || record.createRevision() >= marker()) {
            return alias;
        }
        PreUpgradeVeths.adoptInRequest(dataplane, ep);
        return Optional.of(tag(ep));
    }

    /**
     * Deletes the endpoint's host veth only if this driver made it for this endpoint (its alias, see
     * {@link #hostAlias}); says what it did. The caller holds the endpoint's lock.
     */
    private String removeOwnVeth(String ep, KeyValue record) {
        String hostIf = hostInterface(ep);
        Optional<String> alias = hostAlias(ep, record);
        if (alias.isEmpty()) {
            return "was gone";
        }
        if (!alias.get().equals(tag(ep))) {
            return "left alone (not made by calico-java for this endpoint)";
        }
        return dataplane.deleteVeth(hostIf) ? "removed" : "was gone";
    }

    /** DiscoverNew, DiscoverDelete, Program/RevokeExternalConnectivity, FreeNetwork: nothing to do. */
    public JsonNode nothing(JsonNode req) {
        return Requests.object();
    }

    public JsonNode allocateNetwork(JsonNode req) {
        return Requests.object().set("Options", Requests.object());
    }

    String endpointKey(String ep) {
        return keys.endpoint(host, ORCHESTRATOR, WORKLOAD, ep);
    }

    private static String addresses(WorkloadEndpoint w) {
        List<Cidr> all = new ArrayList<>(w.ipv4Nets());
        all.addAll(w.ipv6Nets());
        return all.toString();
    }

    static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }
}
