package org.calicojava.felix.encap;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.ipam.Ipam;
import org.calicojava.ipam.IpamException;
import org.calicojava.ipam.Pools;
import org.calicojava.ipam.TunnelAddress;
import org.calicojava.model.Cidr;
import org.calicojava.model.IpPool;
import org.calicojava.model.Keys;
import org.calicojava.model.LogText;
import org.calicojava.netlink.Netlink;
import org.calicojava.store.KeyValue;
import org.calicojava.store.KvStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IP-in-IP on this host, on its own thread ("felix-ipip"), every {@code interval} and at once when felix's watches
 * see a pool, a host's address or this host's tunnel record change ({@link #onKey}): reads the pools, every host's
 * {@code ip_addr_v4} and this host's {@code IpInIpTunnelAddr} from etcd ({@link IpipPlan}); allocates the tunnel
 * address (IPAM handle {@code ipip-tunnel-addr-<host>}, with affinity to this host, so it falls in one of its blocks)
 * or releases it when no IPIP pool remains; programs {@code tunl0} ({@link IpipDevice}); and publishes the policy
 * state ({@link IpipPolicy.State}), calling {@code onPolicyChange} when it changed so the dataplane thread programs
 * the protocol-4 filter. A datastore or kernel failure is logged once (until it changes) and retried next round.
 */
public final class IpipManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IpipManager.class);
    private static final int MAX_PROBLEMS = 1000;
    /** The round while IP-in-IP is off, and the longest wait after failures. */
    static final Duration IDLE_ROUND = Duration.ofSeconds(60);

    private final KvStore store;
    private final Keys keys;
    private final String host;
    private final Namespace ns;
    private final Runnable onPolicyChange;
    private final Duration interval;
    private final Ipam ipam;
    private final Set<String> problems = new LinkedHashSet<>();
    private volatile IpipPolicy.State state = IpipPolicy.State.OFF;
    private volatile boolean stopping;
    /** A pool or this host's tunnel record changed: run a round now (guarded by this). */
    private boolean poked;

    private Thread thread;
    private String lastError;
    /** The tunnel address last put on tunl0 (felix-ipip thread). */
    private Cidr lastAddr;

    public IpipManager(
            KvStore store, Keys keys, String host, Namespace ns, Runnable onPolicyChange, Duration interval) {
        this.store = store;
        this.keys = keys;
        this.host = host;
        this.ns = ns;
        this.onPolicyChange = onPolicyChange;
        this.interval = interval;
        this.ipam = new Ipam(store, keys);
    }

    /** The latest policy state (thread-safe). */
    public IpipPolicy.State state() {
        return state;
    }

    public synchronized void start() {
        thread = new Thread(this::run, "felix-ipip");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long backoff = interval.toMillis();
        try (Netlink nl = ns.openNetlink()) {
            while (!stopping) {
                long waitMs;
                try {
                    reconcile(nl);
                    if (lastError != null) {
                        LOG.info("ip-in-ip: working again");
                        lastError = null;
                    }
                    backoff = interval.toMillis();
                    // on: every interval (tunl0 drift); off: felix's watch pokes on any change that matters, so
                    // only a slow safety round reads etcd (nothing polls etcd while no IP-in-IP pool exists)
                    waitMs = state.enabled() ? interval.toMillis() : IDLE_ROUND.toMillis();
                } catch (RuntimeException e) { // datastore or kernel: retried, backing off to a round a minute
                    String why = String.valueOf(e.getMessage());
                    backoff = Math.min(IDLE_ROUND.toMillis(), backoff * 2);
                    if (!why.equals(lastError)) {
                        LOG.warn(
                                "ip-in-ip: {} (retrying, at most every {} s)",
                                LogText.quote(why),
                                IDLE_ROUND.toSeconds());
                        lastError = why;
                    }
                    waitMs = backoff;
                }
                synchronized (this) {
                    if (!stopping && !poked) {
                        wait(waitMs);
                    }
                    poked = false;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) { // no netlink socket, or something unforeseen: never silently
            LOG.error("ip-in-ip manager stopped (tunl0 and its address are no longer kept): {}", e.toString(), e);
        }
    }

    /** One round: read, allocate or release, program tunl0, publish the policy state. */
    void reconcile(Netlink nl) {
        List<IpPool> pools = Pools.list(store, keys, 4);
        Map<String, String> hostIps = new HashMap<>();
        String prefix = keys.bgpHosts();
        for (KeyValue kv : store.list(prefix).kvs()) {
            String name = Keys.segmentAfter(kv.key(), prefix, 0);
            if ("ip_addr_v4".equals(Keys.segmentAfter(kv.key(), prefix, 1))
                    && !kv.value().isBlank()) {
                hostIps.put(name, kv.value());
            }
        }
        String tunnelKey = keys.hostConfig(host, IpipPlan.TUNNEL_ADDR_KEY);
        String recorded = store.get(tunnelKey).map(KeyValue::value).orElse(null);
        IpipPlan plan = IpipPlan.of(pools, hostIps, recorded, this::problem);
        Cidr addr = plan.tunnelAddr();
        Cidr released = null;
        if (plan.allocate()) {
            addr = allocate(plan, tunnelKey);
        } else if (plan.release()) {
            List<Cidr> freed = ipam.releaseByHandle(IpipPlan.handle(host));
            store.delete(tunnelKey);
            released = IpipPlan.parseV4(recorded);
            LOG.info("ip-in-ip off: released tunnel address {} ({} in IPAM)", LogText.quote(recorded), freed);
        }
        IpipPolicy.State next = new IpipPolicy.State(plan.enabled(), plan.enabled() ? plan.hostNets() : Set.of());
        if (!next.equals(state)) {
            state = next;
            onPolicyChange.run();
        }
        // off: take our address off tunl0 (the one just released, or the last one put there when someone else
        // deleted the key); kept until the device was programmed, so a failed round tries again
        Cidr remove = plan.enabled() ? null : released != null ? released : lastAddr;
        List<String> done = IpipDevice.program(nl, plan.enabled(), addr, remove, hostIps.get(host), this::problem);
        lastAddr = plan.enabled() ? addr : null;
        if (!done.isEmpty()) {
            LOG.info("{}: {}", IpipPlan.DEVICE, String.join(", ", done));
        }
    }

    /**
     * A key of felix's watches changed (any thread): a pool, a host's {@code ip_addr_v4} or this host's tunnel record
     * starts a round at once; other keys wait for the next round.
     */
    public void onKey(String key) {
        if (key.startsWith(keys.pools(4))
                || key.equals(keys.hostConfig(host, IpipPlan.TUNNEL_ADDR_KEY))
                || (key.startsWith(keys.bgpHosts()) && key.endsWith("/ip_addr_v4"))) {
            synchronized (this) {
                poked = true;
                notifyAll();
            }
        }
    }

    private Cidr allocate(IpipPlan plan, String tunnelKey) {
        String handle = IpipPlan.handle(host);
        ipam.releaseByHandle(handle); // whatever an invalid record pointed at
        IpamException last = null;
        for (Cidr pool : plan.pools()) {
            try {
                Cidr ip = ipam.autoAssign(
                        new Ipam.AutoRequest(host, handle, TunnelAddress.IPIP.attributes(host), 4, pool));
                store.put(tunnelKey, ip.ip());
                LOG.info("ip-in-ip: tunnel address {} from pool {}", ip.ip(), pool);
                return ip;
            } catch (IpamException e) {
                last = e;
            }
        }
        throw new IllegalStateException(
                "no IP-in-IP tunnel address: " + (last == null ? "no pool" : last.getMessage()));
    }

    private void problem(String p) {
        synchronized (problems) {
            if (problems.size() >= MAX_PROBLEMS) {
                problems.clear();
            }
            if (problems.add(p)) {
                LOG.warn("ip-in-ip: {}", LogText.quote(p));
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            stopping = true;
            notifyAll();
        }
        Thread t = thread;
        if (t != null) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
