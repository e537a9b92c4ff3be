package org.calicojava.felix.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import org.calicojava.felix.encap.EncapState;
import org.calicojava.felix.encap.VxlanAllocator;
import org.calicojava.felix.encap.VxlanCalc;
import org.calicojava.felix.encap.VxlanPlan;
import org.calicojava.ipam.Ipam;
import org.calicojava.model.Cidr;
import org.calicojava.model.EncapMode;
import org.calicojava.model.IpPool;
import org.calicojava.model.Keys;
import org.calicojava.netlink.MacAddress;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.junit.jupiter.api.Test;

/** Tunnel address and MAC records against a real etcd: assigned with the host's affinity, released with the pool. */
class VxlanAllocatorIT {

    @Test
    void assignsWritesAndReleasesTheTunnelRecords() {
        Keys keys = new Keys("/cj-test-" + UUID.randomUUID());
        try (JetcdStore store = new JetcdStore(EtcdConfig.of(System.getenv("ETCD_ENDPOINTS")))) {
            try {
                List<IpPool> pools = List.of(
                        IpPool.of(Cidr.parse("fd00:65::/64"), EncapMode.NEVER, EncapMode.ALWAYS, false, false, 122));
                pools.forEach(p -> store.put(keys.pool(p.cidr()), org.calicojava.model.Json.write(p)));
                EncapState s = new EncapState(keys);
                VxlanAllocator a = new VxlanAllocator(store, keys, "h1");
                VxlanPlan p = VxlanCalc.plan("h1", 6, pools, s, null);
                assertThat(a.reconcile(p, pools)).as("failed").isFalse();
                String addrKey = keys.hostConfig("h1", VxlanCalc.ADDR_V6);
                String addr = store.get(addrKey).orElseThrow().value();
                String mac = store.get(keys.hostConfig("h1", VxlanCalc.MAC_V6))
                        .orElseThrow()
                        .value();
                assertThat(Cidr.parse("fd00:65::/64").contains(Cidr.host(addr))).isTrue();
                MacAddress m = MacAddress.parse(mac);
                assertThat(m.value() >>> 40 & 3)
                        .as("locally administered unicast")
                        .isEqualTo(2);
                Ipam ipam = new Ipam(store, keys);
                assertThat(ipam.info(Cidr.host(addr)).handle()).isEqualTo("vxlan-v6-tunnel-addr-h1");
                assertThat(ipam.affinities("h1", 6))
                        .singleElement()
                        .satisfies(b -> assertThat(b.contains(Cidr.host(addr))).isTrue());

                s.apply(addrKey, addr);
                s.apply(keys.hostConfig("h1", VxlanCalc.MAC_V6), mac);
                VxlanAllocator fresh = new VxlanAllocator(store, keys, "h1"); // no settle delay
                assertThat(fresh.reconcile(VxlanCalc.plan("h1", 6, pools, s, null), pools))
                        .isFalse();
                assertThat(store.get(addrKey).orElseThrow().value())
                        .as("valid: kept")
                        .isEqualTo(addr);

                VxlanPlan none = VxlanCalc.plan("h1", 6, List.of(), s, null);
                assertThat(fresh.reconcile(none, List.of())).isFalse();
                assertThat(store.get(addrKey)).isEmpty();
                assertThat(ipam.info(Cidr.host(addr)).assigned()).isFalse();
                assertThat(store.get(keys.hostConfig("h1", VxlanCalc.MAC_V6)))
                        .as("MAC kept")
                        .isPresent();
            } finally {
                store.deletePrefix(keys.root() + "/");
            }
        }
    }
}
