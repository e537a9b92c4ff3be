package org.calicojava.felix.encap;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.calicojava.ipam.Ipam;
import org.calicojava.ipam.TunnelAddress;
import org.calicojava.model.Cidr;
import org.calicojava.model.IpPool;
import org.calicojava.model.Keys;
import org.calicojava.netlink.MacAddress;
import org.calicojava.store.KvStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This host's VXLAN tunnel records in etcd, as Calico's felix keeps them: when an enabled VXLAN pool of a family
 * exists and the host has no valid tunnel address of it, one is assigned by IPAM with affinity to this host (handle
 * {@code vxlan-tunnel-addr-HOST} / {@code vxlan-v6-tunnel-addr-HOST}) and written to
 * {@code /calico/v1/host/HOST/config/IPv4VXLANTunnelAddr} (IPv6VXLANTunnelAddr); a random locally administered
 * unicast MAC is written once to VXLANTunnelMACAddr (VXLANTunnelMACAddrV6). When no VXLAN pool of the family remains
 * the address is released and its key deleted (the MAC stays). Runs on the dataplane thread; a datastore failure is
 * one log line and is retried after {@link #RETRY_NANOS}.
 */
public final class VxlanAllocator {
    private static final Logger LOG = LoggerFactory.getLogger(VxlanAllocator.class);
    static final long RETRY_NANOS = 5_000_000_000L;
    /** After a write, the watch brings the key back: no new attempt for that family meanwhile. */
    static final long SETTLE_NANOS = 10_000_000_000L;

    private final KvStore store;
    private final Keys keys;
    private final String hostname;
    private final Ipam ipam;
    private final SecureRandom random = new SecureRandom();
    private final long[] quietUntil = new long[7];

    {
        java.util.Arrays.fill(quietUntil, System.nanoTime());
    }

    public VxlanAllocator(KvStore store, Keys keys, String hostname) {
        this.store = store;
        this.keys = keys;
        this.hostname = hostname;
        this.ipam = new Ipam(store, keys);
    }

    public static String handle(String host, int version) {
        return TunnelAddress.vxlan(version).handle(host);
    }

    /**
     * Brings this host's records of {@code plan}'s family in line with the pools; true when something is left to do
     * (it failed, or a write has not come back through the watch yet): call again soon.
     */
    public boolean reconcile(VxlanPlan plan, Collection<IpPool> pools) {
        int v = plan.version();
        VxlanPlan.Tunnel t = plan.tunnel();
        boolean allocate = t.wanted() && t.addr() == null;
        boolean mac = t.wanted() && !t.macValid();
        boolean release = !t.anyPool() && t.addrText() != null;
        if (!(allocate || mac || release)) {
            return false;
        }
        if (System.nanoTime() - quietUntil[v] < 0) {
            return true; // just written (the watch brings it) or just failed: look again soon
        }
        try {
            if (release) {
                List<Cidr> freed = ipam.releaseByHandle(handle(hostname, v));
                store.delete(keys.hostConfig(hostname, VxlanCalc.addrName(v)));
                LOG.info(
                        "VXLAN IPv{}: no VXLAN pool left: released tunnel address {} (handle {})",
                        v,
                        freed.isEmpty() ? t.addrText() : freed.get(0).ip(),
                        handle(hostname, v));
            }
            if (mac) {
                MacAddress m = randomMac();
                store.put(keys.hostConfig(hostname, VxlanCalc.macName(v)), m.toString());
                LOG.info("VXLAN IPv{}: tunnel MAC {} written to {}", v, m, VxlanCalc.macName(v));
            }
            if (allocate) {
                String handle = handle(hostname, v);
                ipam.releaseByHandle(handle); // a leftover of an earlier run (or an address no longer in a VXLAN pool)
                Cidr ip = assign(v, handle, pools);
                store.put(keys.hostConfig(hostname, VxlanCalc.addrName(v)), ip.ip());
                LOG.info(
                        "VXLAN IPv{}: tunnel address {} assigned (handle {}){}",
                        v,
                        ip.ip(),
                        handle,
                        t.addrText() == null ? "" : ", replacing " + t.addrText());
            }
            quietUntil[v] = System.nanoTime() + SETTLE_NANOS;
            return false;
        } catch (RuntimeException e) { // datastore or IPAM: the next pass after the delay tries again
            LOG.warn(
                    "VXLAN IPv{}: tunnel records: {} (retrying in {} s)",
                    v,
                    e.getMessage(),
                    RETRY_NANOS / 1_000_000_000L);
            quietUntil[v] = System.nanoTime() + RETRY_NANOS;
            return true;
        }
    }

    private Cidr assign(int v, String handle, Collection<IpPool> pools) {
        List<IpPool> candidates = pools.stream()
                .filter(p -> p.cidr().version() == v && p.vxlanMode().enabled() && !p.disabled())
                .sorted(Comparator.comparing(IpPool::cidr))
                .toList();
        RuntimeException last = null;
        for (IpPool p : candidates) {
            try {
                return ipam.autoAssign(new Ipam.AutoRequest(
                        hostname, handle, TunnelAddress.vxlan(v).attributes(hostname), v, p.cidr()));
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw last != null ? last : new IllegalStateException("no enabled VXLAN pool of IPv" + v);
    }

    /** A random locally administered unicast MAC (first byte: bit 1 set, bit 0 clear). */
    MacAddress randomMac() {
        byte[] b = new byte[6];
        random.nextBytes(b);
        b[0] = (byte) ((b[0] & 0xfc) | 0x02);
        return MacAddress.of(b);
    }
}
