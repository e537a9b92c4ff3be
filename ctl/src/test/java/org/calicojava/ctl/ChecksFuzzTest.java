package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.calicojava.model.Keys;
import org.calicojava.model.LogText;

/**
 * {@code datastore check} and {@code ipam check} read whatever the datastore holds: for any keys of the layout's shapes,
 * with good, damaged and hostile names and values, they finish (no exception escapes any reader) and every line they
 * would print is one line.
 */
class ChecksFuzzTest {
    private static final Keys KEYS = new Keys("/calico");

    private static final List<String> NAMES =
            List.of("h1", "h2", "w1", "p", "t", "eth0", "a.b", "a b", "..", "x\ny", "\u202e", "", "10.65.0.0-26");

    private static final List<String> SHAPES = List.of(
            "/calico/v1/host/%s/workload/cni/%s/endpoint/eth0",
            "/calico/v1/host/%s/config/%s",
            "/calico/v1/config/%s",
            "/calico/v1/policy/profile/%s/rules",
            "/calico/v1/policy/profile/%s/tags",
            "/calico/v1/policy/profile/%s/labels",
            "/calico/v1/policy/tier/%s/metadata",
            "/calico/v1/policy/tier/%s/policy/%s",
            "/calico/v1/ipam/v4/pool/%s",
            "/calico/v1/ipam/v6/pool/%s",
            "/calico/bgp/v1/global/%s",
            "/calico/bgp/v1/global/peer_v4/%s",
            "/calico/bgp/v1/host/%s/%s",
            "/calico/bgp/v1/host/%s/peer_v4/%s",
            "/calico/ipam/v2/assignment/ipv4/block/%s",
            "/calico/ipam/v2/handle/%s",
            "/calico/ipam/v2/host/%s/ipv4/block/%s",
            "/calico/ipam/v2/config");

    private static final List<String> VALUES = List.of(
            "",
            "null",
            "[]",
            "{}",
            "42",
            "\"x\"",
            "{\"cidr\":",
            "10.65.0.1",
            "64512",
            "true",
            "1.2.3.4;\n}",
            "{\"state\":\"active\",\"name\":\"cali1\",\"ipv4_nets\":[\"10.65.0.3/32\"]}",
            "{\"state\":\"active\",\"name\":\"cali1\",\"ipv6_nets\":[\"::ffff:10.0.0.1/128\"]}",
            "{\"cidr\":\"10.65.0.0/26\",\"affinity\":\"host:h1\",\"allocations\":[0" + ",null".repeat(63)
                    + "],\"unallocated\":[],\"attributes\":[{\"handle_id\":\"c1\"}]}",
            "{\"cidr\":\"10.65.0.0/26\",\"attributes\":[null]}",
            "{\"handleID\":\"c1\",\"block\":{\"10.65.0.0/26\":1}}",
            "{\"handleID\":\"c1\",\"block\":{\"x\":null}}",
            "{\"cidr\":\"10.65.0.0/16\",\"ipip\":true,\"block_size\":26}",
            "{\"ip\":\"192.0.2.9\",\"as_num\":\"64512\"}",
            "{\"order\":1e999}",
            "{\"inbound_rules\":[{\"action\":\"deny\",\"protocol\":\"010\"}]}",
            "{\"selector\":\"all()\",\"inbound_rules\":[{\"action\":\"allow\"}]}",
            "{\"strict_affinity\":\"yes\"}",
            "\u0000\u00ff\ud800");

    @Provide
    Arbitrary<Map<String, String>> datastores() {
        Arbitrary<String> name = Arbitraries.of(NAMES);
        Arbitrary<String> key = Arbitraries.of(SHAPES)
                .flatMap(shape -> name.list().ofSize(2).map(n -> String.format(shape, n.get(0), n.get(1))));
        return Arbitraries.maps(key, Arbitraries.of(VALUES)).ofMinSize(1).ofMaxSize(30);
    }

    @Property(tries = 1000)
    void bothChecksFinishAndPrintOneLinePerRow(@ForAll("datastores") Map<String, String> kv) {
        TreeMap<String, String> snapshot = new TreeMap<>(kv);
        for (DatastoreCheck.Finding f : DatastoreCheck.run(KEYS, snapshot)) {
            assertThat(f.key()).startsWith("/calico/");
            assertThat(LogText.quote(f.key()) + f.readers() + LogText.oneLine(f.problem()))
                    .doesNotContain("\n", "\r", "\u2028", "\u202e");
        }
        for (IpamCheck.Problem p : new IpamCheck(KEYS, snapshot).run().problems) {
            assertThat(p.kind() + LogText.oneLine(p.subject()) + LogText.oneLine(p.detail()))
                    .doesNotContain("\n", "\r", "\u2028", "\u202e");
        }
    }
}
