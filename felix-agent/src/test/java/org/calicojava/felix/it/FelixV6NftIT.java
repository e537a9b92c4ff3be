package org.calicojava.felix.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.calicojava.testing.Sh;

/**
 * Every test of {@link FelixV6IT} (IPv6 rules allowing and denying with real traffic, icmpv6, cali6 sets, NDP under
 * deny-all, anti-spoofing on both families, NAT66, drift repair, Ipv6Support off and on, a restart writing nothing) with
 * {@code DataplaneBackend=nftables}: policy of both families in {@code table inet calico}, chains that differ by
 * family split as {@code NAME/4} / {@code NAME/6} behind a {@code meta nfproto} dispatcher, anti-spoofing as a
 * {@code fib} reverse-path check at prerouting; no iptables/ip6tables rule or ipset of ours exists. Namespaces
 * {@code n6-ID-*}. Overrides only how the tests look at and tamper with the rules.
 */
class FelixV6NftIT extends FelixV6IT {
    /** A table of the test's own: counts NDP packets that got past our input chain (priority filter - 5). */
    private static final String PROBE = "n6probe";

    private boolean probe;

    @Override
    String backend() {
        return "nftables";
    }

    @Override
    String[] requiredBinaries() {
        return new String[] {"ip", "nft", "ping", "nc"};
    }

    @Override
    String writesMetric() {
        return "felix_nft_netlink_commits"; // NftablesWriter=netlink, the default
    }

    @Override
    String namespacePrefix() {
        return "n6";
    }

    String table() {
        return Sh.ok(Sh.in(net.host, "nft", "list", "table", "inet", "calico"));
    }

    String chain(String name) {
        return Sh.ok(Sh.in(net.host, "nft", "list", "chain", "inet", "calico", name));
    }

    @Override
    String dump() {
        return table();
    }

    @Override
    void assertProgrammed() {
        String t = table();
        assertThat(t)
                .contains(
                        "chain cali-tw-" + net.iface(1) + " {",
                        "\"" + net.iface(2) + "\" : goto cali-fw-" + net.iface(2),
                        "chain cali-wl-to-host/6 {",
                        "icmpv6 type nd-neighbor-solicit accept",
                        "meta nfproto ipv4 goto cali-wl-to-host/4",
                        "meta nfproto ipv6 goto cali-wl-to-host/6",
                        "chain raw-PREROUTING {",
                        "type filter hook prerouting priority raw - 5; policy accept;",
                        "jump cali-PREROUTING",
                        "iifname \"cali*\" fib saddr . iif oif missing counter packets",
                        "chain cali-nat-outgoing/6 {",
                        "ip6 saddr @cali6-masq-ipam-pools ip6 daddr != @cali6-all-ipam-pools masquerade",
                        "set cali6-all-ipam-pools {",
                        "type ipv6_addr");
        assertThat(Sh.ok(Sh.in(net.host, "nft", "list", "set", "inet", "calico", "cali6-all-ipam-pools")))
                .contains("fd00:66::/64");
        assertThat(t).doesNotContain("chain cali-tw-" + net.iface(1) + "/"); // endpoint chains: one for both
        for (String save : new String[] {
            net.save(4, "filter"), net.save(6, "filter"), net.save(6, "raw"), net.save(4, "raw"), net.save(6, "nat")
        }) {
            assertThat(save).doesNotContain("cali");
        }
    }

    @Override
    void assertSetHolds(String name, String member) {
        String set = Sh.ok(Sh.in(net.host, "nft", "list", "set", "inet", "calico", name));
        assertThat(set).contains("type ipv6_addr", member);
    }

    /**
     * NDP packets of {@code type} from workloads that got past our input base chain (a drop there is final): counted
     * by a probe chain of the test's own at the same hook, just after ours.
     */
    @Override
    long ndpAccepted(int type) {
        if (!probe) {
            Sh.ok(Sh.in(net.host, "nft", "add", "table", "inet", PROBE));
            Sh.ok(Sh.in(
                    net.host,
                    "nft",
                    "add",
                    "chain",
                    "inet",
                    PROBE,
                    "in",
                    "{ type filter hook input priority filter - 4; policy accept; }"));
            Sh.ok(Sh.in(
                    net.host,
                    "nft",
                    "add",
                    "rule",
                    "inet",
                    PROBE,
                    "in",
                    "iifname",
                    "\"cali*\"",
                    "icmpv6",
                    "type",
                    String.valueOf(type),
                    "counter"));
            probe = true;
        }
        String out = Sh.ok(Sh.in(net.host, "nft", "list", "chain", "inet", PROBE, "in"));
        return counter(out, "", out);
    }

    /** The packet counter of the anti-spoofing rule (one rule for both families: the chain is the same for both). */
    @Override
    long rpfilterDrops(int version) {
        String c = chain("cali-PREROUTING");
        return counter(c, "fib saddr . iif oif missing ", c);
    }

    private static long counter(String text, String before, String what) {
        Matcher m = Pattern.compile(Pattern.quote(before) + "counter packets (\\d+)")
                .matcher(text);
        assertThat(m.find()).as("counter in\n" + what).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** Deletes the first NDP rule of the IPv6 workload-to-host chain and the anti-spoofing rule. */
    @Override
    void deleteIpv6RulesByHand() {
        for (String c : new String[] {"cali-wl-to-host/6", "cali-PREROUTING"}) {
            Matcher m = Pattern.compile("comment \"cali:[^\"]*\" # handle (\\d+)")
                    .matcher(Sh.ok(Sh.in(net.host, "nft", "-a", "list", "chain", "inet", "calico", c)));
            assertThat(m.find()).as("a rule of ours in " + c).isTrue();
            Sh.ok(Sh.in(net.host, "nft", "delete", "rule", "inet", "calico", c, "handle", m.group(1)));
        }
    }

    @Override
    boolean ipv6RulesRestored() {
        return chain("cali-wl-to-host/6").contains("icmpv6 type mld-listener-query accept")
                && chain("cali-PREROUTING").contains("fib saddr . iif oif missing");
    }

    /** Ipv6Support false: no IPv6 chain or set; every chain of ours is IPv4's only (IPv6 falls through, as without ip6tables rules). */
    @Override
    boolean noIpv6Policy() {
        String t = table();
        return !t.contains("/6 {")
                && !t.contains("cali6-")
                && !t.contains("meta nfproto ipv6")
                && t.contains("meta nfproto ipv4 goto cali-PREROUTING/4");
    }

    @Override
    void assertIpv4PolicyStays() {
        assertThat(table())
                .contains("fib saddr . iif oif missing")
                .containsPattern(
                        "chain cali-tw-" + net.iface(2) + " \\{\\s+meta nfproto ipv4 goto cali-tw/\\S+ comment");
    }

    @Override
    boolean ipv6PolicyBack() {
        String t = table();
        return t.contains("chain cali-wl-to-host/6 {") && !t.contains("cali-PREROUTING/4");
    }
}
