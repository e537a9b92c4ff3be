package org.calicojava.netlink.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.NftGeneration;
import org.junit.jupiter.api.Test;

/** The nftables generation of a namespace moves with every committed transaction there, and only there. */
class NftGenerationIT {
    @Test
    void countsCommittedTransactionsOfItsOwnNamespaceOnly() {
        try (TestNs ns = new TestNs(); TestNs other = new TestNs();
             NftGeneration gen = NetNs.run(ns.name, NftGeneration::open)) {
            long g0 = gen.current();
            assertThat(gen.current()).as("reading does not change it").isEqualTo(g0);
            nft(ns, "add table inet cjgen");
            assertThat(gen.current()).isEqualTo(g0 + 1);
            nft(ns, "add chain inet cjgen a; add rule inet cjgen a drop; add chain inet cjgen b");
            assertThat(gen.current()).as("one nft run is one transaction").isEqualTo(g0 + 2);
            Sh.run("ip", "netns", "exec", ns.name, "iptables-nft", "-w", "-A", "INPUT", "-s", "192.0.2.1", "-j", "DROP");
            assertThat(gen.current()).as("iptables-nft commits through nftables too").isGreaterThan(g0 + 2);
            long g1 = gen.current();
            nft(other, "add table inet cjgen");
            assertThat(gen.current()).as("another namespace's commit").isEqualTo(g1);
            Sh.run("ip", "netns", "exec", ns.name, "iptables-legacy", "-w", "-A", "INPUT", "-s", "192.0.2.1", "-j", "DROP");
            assertThat(gen.current()).as("iptables-legacy does not use nftables").isEqualTo(g1);
        }
    }

    private static void nft(TestNs ns, String commands) {
        Sh.run("ip", "netns", "exec", ns.name, "nft", commands);
    }
}
