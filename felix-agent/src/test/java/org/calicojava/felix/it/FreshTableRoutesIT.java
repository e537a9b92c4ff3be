package org.calicojava.felix.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.calicojava.felix.agent.Metrics;
import org.calicojava.felix.calc.Calculator;
import org.calicojava.felix.calc.DatastoreState;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.FelixConfig;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.felix.dataplane.NftKernel;
import org.calicojava.felix.nft.NftBackend;
import org.calicojava.model.Keys;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.Test;

/**
 * The first transaction into an empty nftables table comes in two halves over netlink, and the callback that lets
 * routes be written runs between them ({@code NftFreshTable}): at that moment the table drops every workload as an
 * unknown interface, so a workload routed then is not reachable (a ping from the uplink's namespace is dropped) until
 * its half is committed (then the ping arrives). A workload routed the same way without our table answers: the drop
 * was the table's. Into a table that exists, one transaction, and the callback after it.
 */
class FreshTableRoutesIT {
    @Test
    void workloadsRoutedBetweenTheHalvesAreDroppedUntilTheirPolicyIsIn() throws Exception {
        Sh.require("ip", "nft", "ping");
        NftKernel kernel = null;
        try (TestNet net = new TestNet("ng-")) {
            Sh.ok(Sh.in(net.host, "sysctl", "-qw", "net.ipv4.ip_forward=1"));
            for (int n = 1; n <= 3; n++) {
                net.addWorkload(n);
                Sh.ok(Sh.in(net.host, "sysctl", "-qw", "net.ipv4.conf." + net.iface(n) + ".proxy_arp=1"));
            }
            kernel = new NftKernel(Namespace.named(net.host));
            kernel.writer("netlink");
            Metrics metrics = new Metrics();
            NftBackend backend = new NftBackend(
                    (argv, stdin, timeout) -> {
                        throw new AssertionError("ran " + argv);
                    },
                    metrics,
                    kernel);
            assertThat(backend.refresh()).isZero();

            List<String> seen = new ArrayList<>();
            backend.apply(desired(net, 1), () -> {
                route(net, 1);
                seen.add(net.ping(net.up, TestNet.ip(1)) ? "reached" : "dropped");
                seen.add(Sh.run(Sh.in(net.host, "nft", "list", "table", "inet", "calico"))
                        .out());
            });
            assertThat(seen).hasSize(2);
            assertThat(seen.get(0))
                    .as("a ping to the workload routed between the halves")
                    .isEqualTo("dropped");
            assertThat(seen.get(1))
                    .as("the table between the halves")
                    .contains("chain cali-from-wl-dispatch {", "iifname vmap @cali-from-wl-map", "map cali-to-wl-map {")
                    .doesNotContain(net.iface(1));
            assertThat(metrics.counter("felix_nft_netlink_commits")).isEqualTo(2);
            assertThat(table(net))
                    .contains(
                            "\"" + net.iface(1) + "\" : goto cali-tw-" + net.iface(1),
                            "chain cali-tw-" + net.iface(1) + " {");
            assertThat(net.ping(net.up, TestNet.ip(1)))
                    .as("the ping once its policy is in")
                    .isTrue();
            assertThat(backend.refresh())
                    .as("both halves read back as committed")
                    .isZero();

            seen.clear();
            backend.apply(desired(net, 2), () -> {
                seen.add(table(net));
                route(net, 2);
            });
            assertThat(metrics.counter("felix_nft_netlink_commits"))
                    .as("a table that exists: one")
                    .isEqualTo(3);
            assertThat(seen.get(0))
                    .as("the table when the callback runs")
                    .contains("\"" + net.iface(2) + "\" : goto cali-tw-" + net.iface(2));
            assertThat(net.ping(net.up, TestNet.ip(2))).isTrue();

            Sh.ok(Sh.in(net.host, "nft", "delete", "table", "inet", "calico"));
            route(net, 3); // never pinged: as workload 1 was at its first ping
            assertThat(net.ping(net.up, TestNet.ip(3)))
                    .as("a route without our table: the drop was the table's")
                    .isTrue();
        } finally {
            if (kernel != null) {
                kernel.close();
            }
        }
    }

    private static void route(TestNet net, int n) {
        Sh.ok("ip", "-n", net.host, "route", "add", TestNet.ip(n) + "/32", "dev", net.iface(n));
    }

    private static String table(TestNet net) {
        return Sh.ok(Sh.in(net.host, "nft", "list", "table", "inet", "calico"));
    }

    /** Workloads 1..{@code n} with a profile that allows everything. */
    private static DesiredDataplane desired(TestNet net, int n) {
        Keys keys = new Keys();
        DatastoreState state = new DatastoreState(keys, "h1");
        state.apply(
                keys.profileRules("open"),
                "{\"inbound_rules\":[{\"action\":\"allow\"}],\"outbound_rules\":[{\"action\":\"allow\"}]}");
        for (int i = 1; i <= n; i++) {
            state.apply(
                    keys.endpoint("h1", "k8s", "wl" + i, "eth0"),
                    Records.endpoint(net.iface(i), "open", TestNet.ip(i), null));
        }
        return new Calculator(x -> {}).calculate(state, FelixConfig.defaults());
    }
}
