package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.calicojava.model.Cidr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code javactl datastore check} against a real etcd: a datastore javactl wrote passes; each bad key written beside it
 * by hand is listed under the reader that refuses it, as the daemons' own readers refuse it, and nothing is written.
 */
class DatastoreCheckIT {
    private final Cli cli = new Cli();

    @AfterEach
    void close() {
        cli.close();
    }

    private void goodDatastore() {
        cli.ok("pool", "add", "10.65.0.0/16", "fd00:65::/64");
        cli.ok("node", "add", "--name", "h1", "--ip", "192.0.2.1", "--ip6", "2001:db8::1");
        cli.ok("node", "add", "--name", "h2", "--ip", "192.0.2.2");
        cli.ok("profile", "add", "web");
        cli.ok("ipam", "assign", "--ip", "10.65.0.3", "--host", "h1", "--handle", "c1");
        cli.etcd.put(
                cli.keys.endpoint("h1", "docker", "w1", "e1"),
                "{\"state\":\"active\",\"name\":\"cali1\",\"profile_ids\":[\"web\"],\"ipv4_nets\":[\"10.65.0.3/32\"]}");
        cli.etcd.put(cli.keys.felixConfig("IptablesRefreshInterval"), "90");
        cli.etcd.put(cli.keys.tierMetadata("t1"), "{\"order\":10}");
    }

    @Test
    void aDatastoreJavactlWrotePasses() {
        goodDatastore();
        Cli.Result r = cli.run("datastore", "check");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).matches("(?s)\\d+ keys checked at revision \\d+: none refused\\R");
        assertThat(cli.run("datastore", "check", "-o", "json").out().strip()).isEqualTo("[ ]");
    }

    @Test
    void withoutAHostThatRendersConfdStillReadsTheGlobalKeys() throws Exception {
        cli.ok("pool", "add", "10.65.0.0/16");
        cli.etcd.put(cli.keys.bgpMaxStaleRoutesTime(), "99999");
        Cli.Result r = cli.run("datastore", "check", "-o", "json");
        assertThat(r.code()).isEqualTo(1);
        JsonNode rows = new ObjectMapper().readTree(r.out());
        assertThat(rows).singleElement().satisfies(row -> {
            assertThat(row.get("key").asText()).isEqualTo(cli.keys.bgpMaxStaleRoutesTime());
            assertThat(row.get("refused_by").asText()).isEqualTo("confd");
        });
    }

    @Test
    void everyRefusedKeyIsListedWithItsReaderAndNothingIsWritten() throws Exception {
        goodDatastore();
        var k = cli.keys;
        List<String[]> bad = new ArrayList<>();
        // key, value, the reader that refuses it, a part of its message
        bad.add(new String[] {
            k.pools(4) + "10.65.0.0-016", "{\"cidr\":\"10.65.0.0/16\"}", "felix, confd, ipam", "10.65.0.0-16"
        });
        bad.add(new String[] {
            k.pool(Cidr.parse("0.0.0.0/1")), "{\"cidr\":\"0.0.0.0/1\"}", "felix, confd, ipam", "overlaps"
        });
        bad.add(new String[] {
            k.endpoint("h2", "docker", "w2", "e2"),
            "{\"state\":\"active\",\"name\":\"cali2\",\"ipv6_nets\":[\"::ffff:10.0.0.1/128\"]}",
            "felix",
            "mapped"
        });
        bad.add(new String[] {k.v1() + "/policy/tier/a.b/metadata", "{\"order\":1}", "felix", "tier"});
        bad.add(new String[] {k.felixConfig("HealthPort"), "abc", "felix", "keeps its previous settings"});
        bad.add(new String[] {k.hostConfig("h2", "Ipv6Support"), "maybe", "felix", "true or false"});
        bad.add(new String[] {k.bgpHostRrClusterId("h1"), "1.2.3.4;\n}", "confd", "rr cluster id"});
        bad.add(new String[] {k.ipamBlocks(4) + "10.65.1.0-26", "{\"cidr\":", "ipam", ""});
        bad.add(new String[] {k.ipamHandles() + "a b", "{}", "ipam", "handle"});
        // a block's record under another block's key; a handle whose block is no CIDR (every release of it fails)
        String block0 = cli.get(k.ipamBlock(Cidr.parse("10.65.0.0/26")));
        bad.add(new String[] {k.ipamBlock(Cidr.parse("10.65.0.64/26")), block0, "ipam", "stored under another"});
        bad.add(new String[] {k.ipamHandle("c9"), "{\"handleID\":\"c9\",\"block\":{\"x\":1}}", "ipam", "\"x\""});
        // affinities: an IPv6 block under ipv4 (felix refuses it too), and a spelling IPAM would never delete
        bad.add(new String[] {k.ipamHostRoot() + "h9/ipv4/block/fd00::-122", "{}", "felix, ipam", "ipv4"});
        bad.add(new String[] {k.ipamHostRoot() + "h1/ipv4/block/10.65.0.0-026", "{}", "ipam", "never delete"});
        for (String[] b : bad) {
            cli.etcd.put(b[0], b[1]);
        }
        List<String> before = cli.snapshot();

        Cli.Result r = cli.run("datastore", "check");
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).contains(bad.size() + " refused");
        JsonNode rows = new ObjectMapper()
                .readTree(cli.run("datastore", "check", "-o", "json").out());
        assertThat(rows).hasSize(bad.size());
        for (String[] b : bad) {
            assertThat(rows).as(b[0]).anySatisfy(row -> {
                assertThat(row.get("key").asText()).isEqualTo(b[0]);
                assertThat(row.get("refused_by").asText()).isEqualTo(b[2]);
                assertThat(row.get("problem").asText()).contains(b[3]).doesNotContain("\n");
            });
        }
        for (String line : r.out().split("\n")) { // the table: one line per row, the injected newline quoted
            assertThat(line).doesNotStartWith("}");
        }
        assertThat(cli.snapshot()).isEqualTo(before);
    }

    /**
     * An active endpoint whose interface is outside its host's InterfacePrefix: felix accepts the record and leaves it
     * out (as it would the host's uplink). The global prefix is "veth", h1's own "cali"; on h3 a bad setting makes
     * felix keep the settings it had, which no datastore tells: its endpoints are not judged.
     */
    @Test
    void anEndpointOutsideItsHostsInterfacePrefixIsListed() throws Exception {
        goodDatastore(); // h1's "cali1"
        var k = cli.keys;
        cli.etcd.put(k.felixConfig("InterfacePrefix"), "veth");
        cli.etcd.put(k.hostConfig("h1", "InterfacePrefix"), "cali");
        String wep = "{\"state\":\"%s\",\"name\":\"%s\",\"ipv4_nets\":[\"10.65.0.%d/32\"]}";
        cli.etcd.put(k.endpoint("h2", "docker", "w3", "e3"), String.format(wep, "active", "eth0", 9));
        cli.etcd.put(k.endpoint("h2", "docker", "w4", "e4"), String.format(wep, "active", "veth7", 10));
        cli.etcd.put(k.endpoint("h2", "docker", "w5", "e5"), String.format(wep, "inactive", "eth1", 11));
        cli.etcd.put(k.endpoint("h1", "docker", "w6", "e6"), String.format(wep, "active", "veth8", 12));
        cli.etcd.put(k.hostConfig("h3", "Ipv6Support"), "maybe");
        cli.etcd.put(k.endpoint("h3", "docker", "w7", "e7"), String.format(wep, "active", "eth2", 13));
        JsonNode rows = new ObjectMapper()
                .readTree(cli.run("datastore", "check", "-o", "json").out());
        assertThat(rows)
                .extracting(r -> r.get("key").asText())
                .containsExactlyInAnyOrder(
                        k.endpoint("h2", "docker", "w3", "e3"),
                        k.endpoint("h1", "docker", "w6", "e6"),
                        k.hostConfig("h3", "Ipv6Support"));
        assertThat(rows)
                .anySatisfy(r -> assertThat(r.get("problem").asText())
                        .isEqualTo(
                                "interface \"eth0\" is not a workload interface (InterfacePrefix veth): felix on h2 ignores"
                                        + " this endpoint (no route, no policy)"));
        assertThat(rows)
                .anySatisfy(r -> assertThat(r.get("problem").asText())
                        .startsWith(
                                "interface \"veth8\" is not a workload interface (InterfacePrefix cali): felix on h1"));
    }
}
