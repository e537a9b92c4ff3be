package org.calicojava.felix.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Every test of {@link FelixAgentIT} (real traffic per rule field, tiers, NAT, drift, restart, ...) with
 * {@code DataplaneBackend=nftables}: policy lives in {@code table inet calico}; no iptables rule of ours exists.
 */
class FelixAgentNftIT extends FelixAgentIT {
    @Override
    String backend() {
        return "nftables";
    }

    @Override
    String[] requiredBinaries() {
        return new String[] {"ip", "nft", "ping"};
    }

    @Override
    String rules() {
        return Sh.ok(Sh.in(net.host, "nft", "list", "table", "inet", "calico"));
    }

    @Override
    boolean refreshesCanSkip() {
        return true;
    }

    @Override
    String writesMetric() {
        return "felix_nft_netlink_commits"; // NftablesWriter=netlink, the default
    }

    @Override
    void assertProgrammed() {
        String t = rules();
        assertThat(t)
                .contains(
                        "chain filter-FORWARD {",
                        "type filter hook forward priority filter - 5; policy accept;",
                        "jump cali-FORWARD comment \"cali:",
                        "chain cali-tw-" + net.iface(1) + " {",
                        "map cali-from-wl-map {",
                        "\"" + net.iface(2) + "\" : goto cali-fw-" + net.iface(2),
                        "iifname vmap @cali-from-wl-map",
                        "set cali4-all-ipam-pools {",
                        "type ipv4_addr",
                        "flags interval",
                        "chain nat-POSTROUTING {",
                        "masquerade");
        assertThat(Sh.ok(Sh.in(net.host, "iptables-save"))).doesNotContain("cali");
    }

    /** The drift repair, and every transaction before it, went over netlink: nft -f never ran. */
    @Test
    @Order(6)
    @Override
    void ruleDeletedByHandIsRestoredByRefresh() {
        long commits = agent.metrics().counter("felix_nft_netlink_commits");
        super.ruleDeletedByHandIsRestoredByRefresh();
        assertThat(commits).as("netlink commits before the repair").isPositive();
        expect(
                "the repair committed over netlink",
                () -> agent.metrics().counter("felix_nft_netlink_commits") > commits);
        assertThat(agent.metrics().counter("felix_nft_calls")).as("nft -f runs").isZero();
        assertThat(agent.metrics().counter("felix_nft_netlink_fallbacks")).isZero();
    }

    @Override
    void deleteByHand(String chain) {
        String body = bodyOf(chain); // the endpoint chain is one goto into the body its rules are in: both lose one
        assertThat(body).as("the body " + chain + " goes to").isNotNull();
        Sh.ok(Sh.in(net.host, "nft", "delete", "rule", "inet", "calico", body, "handle", firstHandle(body)));
        Sh.ok(Sh.in(net.host, "nft", "delete", "rule", "inet", "calico", chain, "handle", firstHandle(chain)));
        Sh.ok(Sh.in(
                net.host,
                "nft",
                "delete",
                "rule",
                "inet",
                "calico",
                "filter-FORWARD",
                "handle",
                firstHandle("filter-FORWARD")));
    }

    private String firstHandle(String chain) {
        String out = Sh.ok(Sh.in(net.host, "nft", "-a", "list", "chain", "inet", "calico", chain));
        Matcher m = Pattern.compile("comment \"cali:[^\"]*\" # handle (\\d+)").matcher(out);
        assertThat(m.find()).as("a rule in " + chain + ":\n" + out).isTrue();
        return m.group(1);
    }

    @Override
    boolean restored(String chain) {
        String fwd = Sh.ok(Sh.in(net.host, "nft", "list", "chain", "inet", "calico", "filter-FORWARD"));
        String body = bodyOf(chain);
        return fwd.contains("jump cali-FORWARD")
                && body != null
                && firstRule(body).startsWith("meta mark & 0x00010000 == 0x00010000 return");
    }

    /** The shared body an endpoint chain's one rule goes to ({@code goto cali-tw/HASH}); null without that rule. */
    private String bodyOf(String chain) {
        Matcher m = Pattern.compile("^goto (cali-[tf]w/\\S+) comment").matcher(firstRule(chain));
        return m.find() ? m.group(1) : null;
    }

    private String firstRule(String chain) {
        String c = Sh.ok(Sh.in(net.host, "nft", "list", "chain", "inet", "calico", chain));
        return c.lines()
                .map(String::strip)
                .filter(l -> l.contains("comment \"cali:"))
                .findFirst()
                .orElse("");
    }
}
