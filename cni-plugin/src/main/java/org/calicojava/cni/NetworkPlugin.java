package org.calicojava.cni;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.calicojava.ipam.IpamException;
import org.calicojava.ipam.Pools;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.model.LogText;
import org.calicojava.model.ProfileRules;
import org.calicojava.model.WorkloadEndpoint;
import org.calicojava.model.WorkloadQos;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.Link;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.NetlinkException;
import org.calicojava.netlink.WorkloadInterface;
import org.calicojava.store.Compare;
import org.calicojava.store.DatastoreException;
import org.calicojava.store.EtcdUnreachableException;
import org.calicojava.store.Op;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * calico-java-cni: ADD, DEL and CHECK of one attachment. ADD takes addresses from the IPAM plugin (calico-java-ipam
 * in this process, any other through {@link ExecPlugin}), makes the workload interface ({@link WorkloadInterface}:
 * the same veth, MAC, sysctls and routes as javactl and the Docker driver), creates the network's profile if absent
 * and writes the workload endpoint {@code /calico/v1/host/HOST/workload/cni/CONTAINERID/endpoint/ID}; on any failure
 * what it made is undone. The endpoint id is derived from container id and interface name, so a retried ADD and every
 * DEL find the same veth without reading etcd.
 */
final class NetworkPlugin {
    static final String ORCHESTRATOR = "cni";
    private static final Logger LOG = LoggerFactory.getLogger(NetworkPlugin.class);

    private NetworkPlugin() {}

    /**
     * The endpoint id: 32 hex digits hashed from container id and interface name (two FNV-1a 64-bit hashes, not a
     * MessageDigest: loading the JDK's security providers costs a process that lives a second noticeable time).
     */
    static String endpointId(CniEnv env) {
        byte[] b = (env.containerId() + "/" + env.ifname()).getBytes(StandardCharsets.UTF_8);
        return HexFormat.of().toHexDigits(fnv1a(b, 0xcbf29ce484222325L))
                + HexFormat.of().toHexDigits(fnv1a(b, 0x84222325cbf29ce4L));
    }

    private static long fnv1a(byte[] data, long basis) {
        long h = basis;
        for (byte x : data) {
            h ^= x & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    static String endpointKey(Context c) {
        return c.keys().endpoint(c.host(), ORCHESTRATOR, c.env.containerId(), endpointId(c.env));
    }

    static Result add(Context c) {
        WorkloadQos qos = Bandwidth.fromArgs(c.env.args());
        Path ns = containerNetns(c.env);
        if (qos != null) {
            Bandwidth.requirePlugin(c);
        }
        String host = c.host();
        String hostIf = WorkloadInterface.hostName(endpointId(c.env));
        boolean plumbed = false;
        boolean shaped = false;
        try {
            // inside the try: a delegated plugin's answer that is unusable (no prefix, no JSON, no addresses) or a
            // timeout still gets it a DEL, so its allocation does not leak
            List<Result.IpConfig> ips = ipamAdd(c, host);
            List<IpPrefix> prefixes = ips.stream()
                    .map(ip -> IpPrefix.parse(ip.address().toString()))
                    .toList();
            Link dev;
            try (Netlink nl = Netlink.open()) {
                if (WorkloadInterface.remove(nl, hostIf)) {
                    LOG.info(
                            "ADD {} {}: replaced the veth {} of an earlier ADD",
                            c.env.containerId(),
                            c.env.ifname(),
                            hostIf);
                }
                int mtu = c.conf.mtu() > 0
                        ? c.conf.mtu()
                        : Pools.workloadMtu(c.store(), c.keys(), host, WorkloadInterface.uplinkMtu(nl));
                dev = WorkloadInterface.plumb(nl, null, hostIf, ns, c.env.ifname(), prefixes, mtu);
                plumbed = true;
            }
            Result result = result(c, hostIf, dev, ips);
            if (qos != null) {
                shaped = true;
                result = Bandwidth.apply(c, qos, result);
            }
            List<Cidr> v4 = new ArrayList<>();
            List<Cidr> v6 = new ArrayList<>();
            ips.forEach(ip -> (ip.address().isIpv4() ? v4 : v6).add(ip.address()));
            ensureProfiles(c);
            WorkloadEndpoint wep = new WorkloadEndpoint(
                    "active", hostIf, WorkloadInterface.HOST_MAC, c.conf.profiles(), v4, v6, Lifecycle.labels(c), qos);
            c.store().put(endpointKey(c), Json.write(wep));
            LOG.info(
                    "ADD {} {}: {} on {} (network {})",
                    c.env.containerId(),
                    c.env.ifname(),
                    v4.isEmpty() ? v6 : v4,
                    hostIf,
                    c.conf.name());
            return result;
        } catch (RuntimeException | Error e) {
            rollback(c, hostIf, plumbed, shaped, e);
            throw e;
        }
    }

    /**
     * CNI_NETNS of an ADD or CHECK, checked before anything is made: code 3 if there is nothing at that path, code 4
     * if it is not a network namespace or is this process's own (the workload end and its routes would land on the
     * host).
     */
    static Path containerNetns(CniEnv env) {
        Path ns = Path.of(env.netns());
        if (!Files.exists(ns)) {
            throw new CniException(CniException.UNKNOWN_CONTAINER, "no network namespace at " + env.netns());
        }
        String why = NetNs.notAnotherNetworkNamespace(ns);
        if (why != null) {
            throw new CniException(
                    CniException.INVALID_ENVIRONMENT,
                    "CNI_NETNS: " + LogText.quote(env.netns()) + " (" + why
                            + "; expected: the container's network namespace)");
        }
        return ns;
    }

    private static void rollback(Context c, String hostIf, boolean plumbed, boolean shaped, Throwable e) {
        LOG.warn("ADD {} {} failed, undoing it: {}", c.env.containerId(), c.env.ifname(), e.getMessage());
        try {
            if (shaped) {
                Bandwidth.remove(c);
            }
        } catch (RuntimeException | Error cleanup) {
            e.addSuppressed(cleanup);
        }
        try {
            if (plumbed) {
                try (Netlink nl = Netlink.open()) {
                    WorkloadInterface.remove(nl, hostIf);
                }
            }
        } catch (RuntimeException | Error cleanup) {
            e.addSuppressed(cleanup);
        }
        try {
            c.store().delete(endpointKey(c));
        } catch (RuntimeException | Error cleanup) {
            e.addSuppressed(cleanup);
        }
        try {
            ipamDel(c, c.host(), null);
        } catch (RuntimeException | Error cleanup) {
            e.addSuppressed(cleanup);
        }
    }

    private static Result result(Context c, String hostIf, Link dev, List<Result.IpConfig> ips) {
        List<Result.Iface> ifaces = List.of(
                new Result.Iface(hostIf, WorkloadInterface.HOST_MAC, null),
                new Result.Iface(
                        c.env.ifname(), dev.mac() == null ? "" : dev.mac().toString(), c.env.netns()));
        List<Result.IpConfig> out = new ArrayList<>();
        List<Result.RouteEntry> routes = new ArrayList<>();
        boolean v4 = false;
        boolean v6 = false;
        for (Result.IpConfig ip : ips) {
            boolean four = ip.address().isIpv4();
            out.add(new Result.IpConfig(
                    ip.address(),
                    ip.address().toString(),
                    four ? WorkloadInterface.GATEWAY_V4 : WorkloadInterface.GATEWAY_V6,
                    1));
            v4 |= four;
            v6 |= !four;
        }
        if (v4) {
            routes.add(new Result.RouteEntry("0.0.0.0/0", WorkloadInterface.GATEWAY_V4));
        }
        if (v6) {
            routes.add(new Result.RouteEntry("::/0", WorkloadInterface.GATEWAY_V6));
        }
        return new Result(ifaces, out, routes);
    }

    /** Creates each profile of the endpoint that does not exist yet, with Calico's default rules (as a Docker network). */
    private static void ensureProfiles(Context c) {
        Keys keys = c.keys();
        for (String p : c.conf.profiles()) {
            if (c.store().get(keys.profileRules(p)).isPresent()) {
                continue;
            }
            boolean made = c.store()
                    .txn(
                            List.of(Compare.absent(keys.profileRules(p))),
                            List.of(
                                    Op.put(keys.profileRules(p), Json.write(ProfileRules.defaultFor(p))),
                                    Op.put(keys.profileTags(p), Json.write(List.of(p))),
                                    Op.put(keys.profileLabels(p), "{}")));
            if (made) {
                LOG.info("profile {} created (network {})", p, c.conf.name());
            }
        }
    }

    static void del(Context c) {
        String host = c.host();
        String hostIf = WorkloadInterface.hostName(endpointId(c.env));
        String key = endpointKey(c);
        WorkloadEndpoint stored = stored(c, key);
        WorkloadQos qos = Bandwidth.fromArgsLenient(c.env.args());
        if (qos == null && stored != null) {
            qos = stored.qos();
        }
        if (qos != null && qos.egressBandwidth() != null) {
            Bandwidth.remove(c); // the ifb device; the veth's own qdiscs go with the veth
        }
        Set<Cidr> nets = new HashSet<>();
        if (stored != null) {
            nets.addAll(stored.ipv4Nets());
            nets.addAll(stored.ipv6Nets());
        }
        // the veth first (its routes go with it, so nothing is routed to an address IPAM may hand out again), then
        // the addresses, the endpoint record last: a DEL whose release fails (etcd away: code 11) is retried with the
        // record still there, and its addresses (a legacy handle's too) are found again
        boolean veth;
        try (Netlink nl = Netlink.open()) {
            veth = WorkloadInterface.remove(nl, hostIf);
        }
        try {
            ipamDel(c, host, nets);
        } catch (IllegalArgumentException e) {
            // an unreadable IPAM record (handle or block): skipped with one line, as any bad record; DEL succeeds
            LOG.warn(
                    "DEL {} {}: IPAM record unreadable, addresses not released: {}",
                    c.env.containerId(),
                    c.env.ifname(),
                    LogText.quote(e.getMessage()));
        }
        boolean had = c.store().delete(key);
        c.store()
                .deletePrefix(
                        c.keys().felixEndpointStatus(host, ORCHESTRATOR, c.env.containerId(), Keys.lastSegment(key)));
        LOG.info(
                "DEL {} {}: endpoint {}, veth {} {}",
                c.env.containerId(),
                c.env.ifname(),
                had ? "removed" : "was not there",
                hostIf,
                veth ? "removed" : "was not there");
    }

    /**
     * The endpoint record (its limits for a GC or a DEL without CNI_ARGS, its addresses for a legacy IPAM handle);
     * null if absent or unreadable. DEL reads it before it deletes it.
     */
    private static WorkloadEndpoint stored(Context c, String key) {
        try {
            return c.store()
                    .get(key)
                    .map(kv -> WorkloadEndpoint.read(kv.value()))
                    .orElse(null);
        } catch (IllegalArgumentException e) {
            LOG.warn("DEL {} {}: endpoint record unreadable: {}", c.env.containerId(), c.env.ifname(), e.getMessage());
            return null;
        }
    }

    private static List<Result.IpConfig> ipamAdd(Context c, String host) {
        if (c.conf.ipamType().equals(Versions.IPAM_TYPE)) {
            List<Cidr> got =
                    new CalicoIpam(c.store(), c.keys(), host).assign(c.env, c.conf.ipam(), CalicoIpam.NETWORK_PLUGIN);
            return got.stream()
                    .map(a -> new Result.IpConfig(a, a.toString(), null, -1))
                    .toList();
        }
        return Result.ipsOf(
                ExecPlugin.run(c.conf.ipamType(), "ADD", c.env.path(), c.processEnv, c.stdin), c.conf.ipamType());
    }

    /**
     * DEL's release: calico-java-ipam's handle (or the attachment's legacy one, if its addresses are among
     * {@code endpointNets}, the endpoint record's), or the delegated plugin's DEL. {@code endpointNets} null: a failed
     * ADD, which undoes only what it made (its own handle), never an older handle.
     */
    private static void ipamDel(Context c, String host, Set<Cidr> endpointNets) {
        if (c.conf.ipamType().equals(Versions.IPAM_TYPE)) {
            CalicoIpam ipam = new CalicoIpam(c.store(), c.keys(), host);
            if (endpointNets != null) {
                ipam.releaseAttachment(c.env, endpointNets);
            } else if (CalicoIpam.handleFits(CalicoIpam.handle(c.env))) {
                ipam.release(CalicoIpam.handle(c.env));
            }
        } else {
            ExecPlugin.run(c.conf.ipamType(), "DEL", c.env.path(), c.processEnv, c.stdin);
        }
    }

    /** Maps the exceptions of the layers below to CNI errors. */
    static CniException mapped(RuntimeException e) {
        if (e instanceof CniException ce) {
            return ce;
        }
        if (e instanceof IpamException ie) {
            return CalicoIpam.mapped(ie);
        }
        if (e instanceof EtcdUnreachableException) {
            return new CniException(CniException.TRY_AGAIN_LATER, "etcd: " + e.getMessage());
        }
        if (e instanceof DatastoreException) {
            return new CniException(CniException.PLUGIN_FAILURE, "etcd: " + e.getMessage());
        }
        if (e instanceof NetlinkException) {
            return new CniException(CniException.PLUGIN_FAILURE, "kernel: " + e.getMessage());
        }
        if (e instanceof IllegalArgumentException) {
            return new CniException(CniException.INVALID_CONFIG, e.getMessage());
        }
        return new CniException(CniException.PLUGIN_FAILURE, e.toString());
    }
}
