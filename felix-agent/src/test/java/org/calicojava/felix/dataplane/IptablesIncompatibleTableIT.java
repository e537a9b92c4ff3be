package org.calicojava.felix.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.calicojava.felix.agent.Metrics;
import org.calicojava.felix.rules.Action;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.ChainNames;
import org.calicojava.felix.rules.Rule;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * iptables-nft-save exits 0 with one comment line for a table holding a rule written with nft that iptables cannot
 * show; in a namespace of the test's own, felix reports that instead of taking the table as empty (which wrote our
 * hook again on every refresh).
 */
class IptablesIncompatibleTableIT {
    private String ns;
    private IptablesTable table;

    @BeforeEach
    void namespace() {
        Sh.require("nft");
        Sh.require("iptables-nft-save");
        ns = "ipt-" + UUID.randomUUID().toString().substring(0, 6);
        Sh.ok("ip", "netns", "add", ns);
        table = new IptablesTable("filter", Namespace.named(ns).commands(), IptablesCommands.of("nft"), new Metrics());
    }

    @AfterEach
    void removeNamespace() {
        Sh.run("ip", "netns", "del", ns);
    }

    @Test
    void aRuleIptablesCannotShowStopsTheTableInsteadOfDuplicatingOurHooks() {
        table.refresh();
        Map<String, Chain> want = new java.util.HashMap<>();
        for (String c : List.of(ChainNames.INPUT, ChainNames.FORWARD, ChainNames.OUTPUT)) { // where the hooks jump
            want.put(c, new Chain(c, List.of(Rule.of(Action.Verdict.RETURN))));
        }
        table.setDesired(want);
        table.apply();
        assertThat(hooks()).as("our FORWARD hook, once").isEqualTo(1);
        assertThat(table.refresh()).as("read back as written").isZero();

        // nft's own ct expression (iptables writes -m conntrack as a match): iptables-nft 1.8.9 cannot show it
        nft("add rule ip filter FORWARD ct state established,related accept");
        assertThat(Sh.ok("ip", "netns", "exec", ns, "iptables-nft-save", "-t", "filter"))
                .as("what felix reads: exit 0, one comment line")
                .contains("is incompatible");
        table.refresh();
        assertThatThrownBy(table::apply)
                .isInstanceOf(DataplaneException.class)
                .hasMessageContaining("-t filter: the table holds rules written with nft that iptables cannot show");
        assertThat(hooks()).as("still one copy").isEqualTo(1);
    }

    @Test
    void theBackendWritesTheOtherTablesAndReportsTheOneItCannotRead() {
        nft("add table ip filter");
        nft("add chain ip filter FORWARD { type filter hook forward priority 0; }");
        nft("add rule ip filter FORWARD ct state established,related accept");
        IptablesBackend b = new IptablesBackend(
                Namespace.named(ns).commands(), IptablesCommands.of("nft"), new Metrics(), () -> -1);
        b.refresh();
        Map<String, Chain> filter =
                Map.of(ChainNames.FORWARD, new Chain(ChainNames.FORWARD, List.of(Rule.of(Action.Verdict.RETURN))));
        Map<String, Chain> nat = Map.of(
                ChainNames.POSTROUTING, new Chain(ChainNames.POSTROUTING, List.of(Rule.of(Action.Verdict.RETURN))));
        org.calicojava.felix.calc.DesiredDataplane d = new org.calicojava.felix.calc.DesiredDataplane(
                Map.of(), Map.of(), filter, nat, Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
        assertThatThrownBy(() -> b.apply(d))
                .isInstanceOf(DataplaneException.class)
                .hasMessageContaining("iptables-nft-save -t filter: the table holds rules written with nft");
        assertThat(Sh.ok("ip", "netns", "exec", ns, "iptables-nft-save", "-t", "nat"))
                .as("nat written all the same")
                .contains(":cali-POSTROUTING - ", "-j cali-POSTROUTING");
        assertThat(Sh.ok("ip", "netns", "exec", ns, "nft", "list", "table", "ip", "filter"))
                .as("filter left alone")
                .doesNotContain("cali");
    }

    private void nft(String command) {
        Sh.ok("ip", "netns", "exec", ns, "nft", command);
    }

    /** Our rules in the FORWARD chain, counted in nft's own listing (iptables cannot show the chain now). */
    private long hooks() {
        return Sh.ok("ip", "netns", "exec", ns, "nft", "list", "chain", "ip", "filter", "FORWARD")
                .lines()
                .filter(l -> l.contains("jump cali-"))
                .count();
    }
}
