package org.calicojava.model;

/**
 * Calico's etcd key layout (v1 era) under a configurable root (default {@code /calico}). The one place that knows
 * where each record lives: every module builds keys through here.
 */
public final class Keys {
    public static final String DEFAULT_ROOT = "/calico";
    private final String root;

    public Keys(String root) {
        String r = root == null || root.isBlank() ? DEFAULT_ROOT : root.trim();
        if (!r.startsWith("/")) {
            throw new IllegalArgumentException(
                    "etcd root prefix: " + LogText.quote(root) + " (expected: starts with '/')");
        }
        this.root = r.endsWith("/") ? r.substring(0, r.length() - 1) : r;
    }

    public Keys() {
        this(DEFAULT_ROOT);
    }

    public String root() {
        return root;
    }

    // ---- v1: pools, hosts, endpoints, policy, config
    public String v1() {
        return root + "/v1";
    }

    public String pools(int version) {
        return root + "/v1/ipam/v" + version + "/pool/";
    }

    public String pool(Cidr cidr) {
        return pools(cidr.version()) + cidr.keyForm();
    }

    public String hosts() {
        return root + "/v1/host/";
    }

    public String host(String host) {
        return hosts() + Names.check("host", host);
    }

    /** The host's marker key (Calico writes it when a node is added). */
    public String hostInitialised(String host) {
        return host(host) + "/initialized";
    }

    public String workloads(String host) {
        return host(host) + "/workload/";
    }

    public String endpoint(String host, String orchestrator, String workload, String endpointId) {
        return workloads(host) + Names.check("orchestrator", orchestrator) + "/" + Names.check("workload", workload)
                + "/endpoint/" + Names.check("endpoint", endpointId);
    }

    /**
     * The Docker driver's marker for host {@code host}: created before the driver's first endpoint record with veth
     * tags, so an endpoint record with a lower create revision was written by a driver that did not tag its veths.
     */
    public String libnetworkVethTags(String host) {
        return root + "/libnetwork/v1/host/" + Names.check("host", host) + "/veth_tags";
    }

    public String profiles() {
        return root + "/v1/policy/profile/";
    }

    public String profile(String name) {
        return profiles() + Names.check("profile", name);
    }

    public String profileRules(String name) {
        return profile(name) + "/rules";
    }

    public String profileTags(String name) {
        return profile(name) + "/tags";
    }

    public String profileLabels(String name) {
        return profile(name) + "/labels";
    }

    public String tiers() {
        return root + "/v1/policy/tier/";
    }

    public String tierMetadata(String tier) {
        return tiers() + Names.check("tier", tier) + "/metadata";
    }

    public String policy(String tier, String name) {
        return tiers() + Names.check("tier", tier) + "/policy/" + Names.check("policy", name);
    }

    public String felixConfigs() {
        return root + "/v1/config/";
    }

    public String felixConfig(String name) {
        return felixConfigs() + Names.check("config", name);
    }

    public String hostConfig(String host, String name) {
        return host(host) + "/config/" + Names.check("config", name);
    }

    // ---- BGP
    public String bgpGlobal() {
        return root + "/bgp/v1/global/";
    }

    public String bgpGlobalAsNum() {
        return bgpGlobal() + "as_num";
    }

    public String bgpNodeMesh() {
        return bgpGlobal() + "node_mesh";
    }

    /** BFD for BGP sessions ({@link BgpBfd}); {@link #bgpHostBfd} overrides it per node. */
    public String bgpBfd() {
        return bgpGlobal() + "bfd";
    }

    public String bgpHostBfd(String host) {
        return bgpHost(host) + "/bfd";
    }

    /** Our cap on how long a restarting peer's stale routes are kept (seconds, 1..4095; default 120). */
    public String bgpMaxStaleRoutesTime() {
        return bgpGlobal() + "max_stale_routes_time";
    }

    public String bgpGlobalPeers(int version) {
        return bgpGlobal() + "peer_v" + version + "/";
    }

    public String bgpGlobalPeer(String ip) {
        Cidr c = Cidr.host(ip);
        return bgpGlobalPeers(c.version()) + c.ip();
    }

    public String bgpHosts() {
        return root + "/bgp/v1/host/";
    }

    public String bgpHost(String host) {
        return bgpHosts() + Names.check("host", host);
    }

    public String bgpHostIp(String host, int version) {
        return bgpHost(host) + "/ip_addr_v" + version;
    }

    public String bgpHostAsNum(String host) {
        return bgpHost(host) + "/as_num";
    }

    public String bgpHostRrClusterId(String host) {
        return bgpHost(host) + "/rr_cluster_id";
    }

    public String bgpHostPeers(String host, int version) {
        return bgpHost(host) + "/peer_v" + version + "/";
    }

    public String bgpHostPeer(String host, String ip) {
        Cidr c = Cidr.host(ip);
        return bgpHostPeers(host, c.version()) + c.ip();
    }

    // ---- IPAM v2
    public String ipamBlocks(int version) {
        return root + "/ipam/v2/assignment/ipv" + version + "/block/";
    }

    public String ipamBlock(Cidr block) {
        return ipamBlocks(block.version()) + block.keyForm();
    }

    public String ipamAffinities(String host, int version) {
        return root + "/ipam/v2/host/" + Names.check("host", host) + "/ipv" + version + "/block/";
    }

    public String ipamAffinity(String host, Cidr block) {
        return ipamAffinities(host, block.version()) + block.keyForm();
    }

    public String ipamHostRoot() {
        return root + "/ipam/v2/host/";
    }

    public String ipamHandles() {
        return root + "/ipam/v2/handle/";
    }

    public String ipamHandle(String handle) {
        return ipamHandles() + Names.check("handle", handle);
    }

    public String ipamConfig() {
        return root + "/ipam/v2/config";
    }

    // ---- felix status
    public String felixStatusRoot() {
        return root + "/felix/v1/host/";
    }

    public String felixHostStatus(String host) {
        return felixStatusRoot() + Names.check("host", host) + "/status";
    }

    public String felixEndpointStatus(String host, String orchestrator, String workload, String endpointId) {
        return felixStatusRoot() + Names.check("host", host) + "/workload/" + Names.check("orchestrator", orchestrator)
                + "/" + Names.check("workload", workload) + "/endpoint/" + Names.check("endpoint", endpointId);
    }

    /** The last segment of a key ("/a/b/c" gives "c"). */
    public static String lastSegment(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    /** Segment {@code index} (0-based) of {@code key} after {@code prefix} (which ends in '/'), or null. */
    public static String segmentAfter(String key, String prefix, int index) {
        if (!key.startsWith(prefix)) {
            return null;
        }
        String[] parts = key.substring(prefix.length()).split("/");
        return index < parts.length ? parts[index] : null;
    }
}
