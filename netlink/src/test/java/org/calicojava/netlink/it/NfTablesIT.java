package org.calicojava.netlink.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.NfTables;
import org.calicojava.netlink.NftTable;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.Test;

/** The nftables generation of a namespace moves with every committed transaction there, and only there. */
class NfTablesIT {
    @Test
    void countsCommittedTransactionsOfItsOwnNamespaceOnly() {
        try (TestNs ns = new TestNs();
                TestNs other = new TestNs();
                NfTables nf = NetNs.run(ns.name, NfTables::open)) {
            long g0 = nf.generation();
            assertThat(nf.generation()).as("reading does not change it").isEqualTo(g0);
            nft(ns, "add table inet cjgen");
            assertThat(nf.generation()).isEqualTo(g0 + 1);
            nft(ns, "add chain inet cjgen a; add rule inet cjgen a drop; add chain inet cjgen b");
            assertThat(nf.generation()).as("one nft run is one transaction").isEqualTo(g0 + 2);
            Sh.ok("ip", "netns", "exec", ns.name, "iptables-nft", "-w", "-A", "INPUT", "-s", "192.0.2.1", "-j", "DROP");
            assertThat(nf.generation())
                    .as("iptables-nft commits through nftables too")
                    .isGreaterThan(g0 + 2);
            long g1 = nf.generation();
            nft(other, "add table inet cjgen");
            assertThat(nf.generation()).as("another namespace's commit").isEqualTo(g1);
            Sh.ok(
                    "ip",
                    "netns",
                    "exec",
                    ns.name,
                    "iptables-legacy",
                    "-w",
                    "-A",
                    "INPUT",
                    "-s",
                    "192.0.2.1",
                    "-j",
                    "DROP");
            assertThat(nf.generation())
                    .as("iptables-legacy does not use nftables")
                    .isEqualTo(g1);
        }
    }

    @Test
    void readsATablesChainsRuleCommentsSetsAndMapsAsTheKernelHoldsThem() {
        try (TestNs ns = new TestNs();
                NfTables nf = NetNs.run(ns.name, NfTables::open)) {
            assertThat(nf.table(1, "cjread")).as("no such table").isNull();
            nft(
                    ns,
                    "add table inet cjread; add chain inet cjread empty; add chain inet cjread a; add chain inet cjread b; add chain inet cjread disp"
                            + "; add set inet cjread s4 { type ipv4_addr; flags interval; }"
                            + "; add element inet cjread s4 { 10.0.0.5, 10.1.0.0/16 }"
                            + "; add set inet cjread s6 { type ipv6_addr; flags interval; }"
                            + "; add element inet cjread s6 { fd00::1, fd00:1::/64 }"
                            + "; add map inet cjread m { type ifname : verdict; }"
                            + "; add element inet cjread m { \"cali1\" : goto a, \"cali2\" : jump b }"
                            + "; add rule inet cjread a ip saddr @s4 accept comment \"cali:one\""
                            + "; add rule inet cjread a tcp dport { 80, 443 } drop"
                            + "; add rule inet cjread disp iifname vmap @m comment \"cali:three\""
                            + "; add chain inet cjread hooked { type filter hook forward priority 0; }"
                            + "; add rule inet cjread hooked jump a comment \"x\"");
            nft(ns, "add table inet other; add chain inet other a; add rule inet other a drop comment \"cali:no\"");
            NftTable t = nf.table(1, "cjread");
            assertThat(t.chains()).containsOnlyKeys("empty", "a", "b", "disp", "hooked");
            assertThat(t.chains().get("a")).containsExactly("cali:one", "");
            assertThat(t.chains().get("disp")).containsExactly("cali:three");
            assertThat(t.chains().get("hooked")).containsExactly("x");
            assertThat(t.chains().get("empty")).isEmpty();
            // the handles, in rule order, as nft -a lists them ("... # handle N")
            long[] listed = Sh.ok("ip", "netns", "exec", ns.name, "nft", "-a", "list", "chain", "inet", "cjread", "a")
                    .lines()
                    .filter(l -> l.contains("# handle ") && !l.contains("chain a {"))
                    .mapToLong(l -> Long.parseLong(
                            l.substring(l.lastIndexOf("# handle ") + 9).trim()))
                    .toArray();
            assertThat(listed).hasSize(2);
            assertThat(t.handles().get("a")).containsExactly(listed);
            assertThat(t.sets()).as("the anonymous { 80, 443 } left out").containsOnlyKeys("s4", "s6", "m");
            NftTable.Set s4 = t.sets().get("s4");
            assertThat(s4.isInterval()).isTrue();
            assertThat(s4.keyLength()).isEqualTo(4);
            assertThat(s4.elements().stream().filter(e -> !e.intervalEnd()).map(e -> ip(e.key())))
                    .containsExactlyInAnyOrder("10.0.0.5", "10.1.0.0");
            assertThat(s4.elements().stream()
                            .filter(NftTable.Element::intervalEnd)
                            .map(e -> ip(e.key())))
                    .contains("10.0.0.6", "10.2.0.0");
            assertThat(t.sets().get("s6").keyLength()).isEqualTo(16);
            NftTable.Set m = t.sets().get("m");
            assertThat(m.isMap()).isTrue();
            assertThat(m.elements()).hasSize(2);
            for (NftTable.Element e : m.elements()) {
                String key = new String(e.key(), java.nio.charset.StandardCharsets.US_ASCII).replace("\0", "");
                assertThat(key + " " + e.verdictCode() + " " + e.chain()).isIn("cali1 -4 a", "cali2 -3 b");
            }
        }
    }

    private static String ip(byte[] b) {
        try {
            return java.net.InetAddress.getByAddress(b).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static void nft(TestNs ns, String commands) {
        Sh.ok("ip", "netns", "exec", ns.name, "nft", commands);
    }
}
