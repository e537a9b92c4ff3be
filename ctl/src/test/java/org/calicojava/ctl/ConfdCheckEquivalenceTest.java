package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.calicojava.confd.ContextBuilder;
import org.calicojava.confd.MissingDataException;
import org.calicojava.confd.Warnings;
import org.calicojava.model.Keys;

/**
 * {@code datastore check} reads confd's records with one full build and each host's own records, not one full build
 * per host (N x N node records). For any datastore of BGP keys, good and bad, it lists exactly the keys that one build
 * per host (every confd's own pass) and a host joining now refuse: the oracle below is that per-host pass.
 */
class ConfdCheckEquivalenceTest {
    private static final Keys KEYS = new Keys("/calico");
    private static final List<String> HOSTS = List.of("h1", "h2", "h3", "bad name");

    private static final List<String> SHAPES = List.of(
            "/calico/bgp/v1/host/%s/ip_addr_v4",
            "/calico/bgp/v1/host/%s/ip_addr_v6",
            "/calico/bgp/v1/host/%s/as_num",
            "/calico/bgp/v1/host/%s/rr_cluster_id",
            "/calico/bgp/v1/host/%s/bfd",
            "/calico/bgp/v1/host/%s/peer_v4/192.0.2.9",
            "/calico/bgp/v1/host/%s/peer_v6/2001:db8::9",
            "/calico/ipam/v2/host/%s/ipv4/block/10.65.0.0-26",
            "/calico/ipam/v2/host/%s/ipv4/block/10.65.0.1-26",
            "/calico/ipam/v2/host/%s/ipv6/block/10.65.0.0-26",
            "/calico/bgp/v1/global/as_num",
            "/calico/bgp/v1/global/node_mesh",
            "/calico/bgp/v1/global/bfd",
            "/calico/bgp/v1/global/max_stale_routes_time",
            "/calico/bgp/v1/global/peer_v4/192.0.2.8",
            "/calico/v1/ipam/v4/pool/10.65.0.0-16");

    private static final List<String> VALUES = List.of(
            "10.0.0.1",
            "10.0.0.2",
            "2001:db8::1",
            "10.0.0.1;\n}",
            "64512",
            "0",
            "224.0.0.1",
            "{\"enabled\":true}",
            "{\"enabled\":true,\"password\":\"a\\\"b\"}",
            "{\"enabled\":true,\"min_rx_ms\":5}",
            "{\"enabled\":false}",
            "{\"ip\":\"192.0.2.9\",\"as_num\":\"64513\"}",
            "{\"ip\":\"2001:db8::9\",\"as_num\":\"64513\"}",
            "{\"ip\":\"192.0.2.8\",\"as_num\":\"x\"}",
            "{\"cidr\":\"10.65.0.0/16\",\"ipip\":true,\"block_size\":26}",
            "{\"state\":\"confirmed\"}",
            "90",
            "99999",
            "");

    @Provide
    Arbitrary<Map<String, String>> datastores() {
        Arbitrary<String> key =
                Arbitraries.of(SHAPES).flatMap(shape -> Arbitraries.of(HOSTS).map(h -> String.format(shape, h)));
        return Arbitraries.maps(key, Arbitraries.of(VALUES)).ofMinSize(1).ofMaxSize(25);
    }

    @Property(tries = 1000)
    void listsWhatEveryHostsOwnBuildRefuses(@ForAll("datastores") Map<String, String> kv) {
        TreeMap<String, String> snapshot = new TreeMap<>(kv);
        TreeSet<String> listed = new TreeSet<>();
        for (DatastoreCheck.Finding f : DatastoreCheck.run(KEYS, snapshot)) {
            if (f.readers().contains("confd")) {
                listed.add(f.key());
            }
        }
        assertThat(listed).isEqualTo(perHost(snapshot));
    }

    /**
     * The oracle: a build per BGP host, and one for a host that joins now (with no setting of its own it reads every
     * global key, such as a global BFD setting that every present host overrides with its own).
     */
    private static TreeSet<String> perHost(NavigableMap<String, String> kv) {
        TreeSet<String> out = new TreeSet<>();
        for (String h : DatastoreCheck.children(kv, KEYS.bgpHosts())) {
            build(kv, h, out);
        }
        TreeMap<String, String> copy = new TreeMap<>(kv);
        copy.put(KEYS.bgpHostIp("made-up", 4), "192.0.2.1");
        build(copy, "made-up", out);
        return out;
    }

    private static void build(NavigableMap<String, String> kv, String host, TreeSet<String> out) {
        ContextBuilder b = new ContextBuilder(KEYS, host);
        try {
            b.build(kv);
        } catch (MissingDataException | IllegalArgumentException e) {
            // this host renders nothing; what it read before stopping is in invalid()
        }
        for (Warnings.Invalid i : b.invalid()) {
            out.add(i.key());
        }
    }
}
