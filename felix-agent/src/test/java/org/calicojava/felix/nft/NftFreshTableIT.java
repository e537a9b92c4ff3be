package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.calicojava.felix.agent.Metrics;
import org.calicojava.felix.calc.Calculator;
import org.calicojava.felix.calc.DatastoreState;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.FelixConfig;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.felix.dataplane.NftKernel;
import org.calicojava.model.Keys;
import org.calicojava.process.CommandRunner;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.Test;

/**
 * The first transaction into an empty table comes in two halves over netlink, and the callback that lets routes be
 * written runs between them: at that moment the table drops every workload as an unknown interface, so a workload
 * routed then is not reachable (a ping from the uplink's namespace is dropped) until its half is committed (then the
 * ping arrives). Without our table the same route lets the ping through: the drop was the table's. Into a table that
 * exists, one transaction, and the callback after it.
 */
class NftFreshTableIT {
    private static final String UPLINK_IP = "192.168.201.1";
    private static final String UP_IP = "192.168.201.2";

    @Test
    void workloadsRoutedBetweenTheHalvesAreDroppedUntilTheirPolicyIsIn() throws Exception {
        Sh.require("ip", "nft", "ping");
        String id = UUID.randomUUID().toString().substring(0, 6);
        String host = "ng-" + id + "-h";
        String up = "ng-" + id + "-u";
        List<String> namespaces = new ArrayList<>(List.of(host, up));
        NftKernel kernel = null;
        try {
            for (String ns : namespaces) {
                Sh.ok("ip", "netns", "add", ns);
            }
            Sh.ok("ip", "-n", host, "link", "add", "uplink0", "type", "veth", "peer", "name", "eth0", "netns", up);
            Sh.ok("ip", "-n", host, "addr", "add", UPLINK_IP + "/24", "dev", "uplink0");
            Sh.ok("ip", "-n", host, "link", "set", "uplink0", "up");
            Sh.ok("ip", "-n", up, "addr", "add", UP_IP + "/24", "dev", "eth0");
            Sh.ok("ip", "-n", up, "link", "set", "eth0", "up");
            Sh.ok("ip", "-n", host, "route", "add", "default", "via", UP_IP);
            Sh.ok("ip", "-n", up, "route", "add", "10.1.0.0/16", "via", UPLINK_IP);
            Sh.ok(Sh.in(host, "sysctl", "-qw", "net.ipv4.ip_forward=1"));
            for (int n : new int[] {1, 2}) {
                namespaces.add(workload(host, id, n));
            }
            kernel = new NftKernel(Namespace.named(host));
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
            backend.apply(desired(1), () -> {
                Sh.ok("ip", "-n", host, "route", "add", ip(1) + "/32", "dev", "calig1");
                seen.add(ping(up, ip(1)) ? "reached" : "dropped");
                seen.add(Sh.run(Sh.in(host, "nft", "list", "table", "inet", "calico"))
                        .out());
            });
            assertThat(seen).hasSize(2);
            assertThat(seen.get(0))
                    .as("a ping to the workload routed between the halves")
                    .isEqualTo("dropped");
            assertThat(seen.get(1))
                    .as("the table between the halves")
                    .contains("chain cali-from-wl-dispatch {", "iifname vmap @cali-from-wl-map", "map cali-to-wl-map {")
                    .doesNotContain("calig1");
            assertThat(metrics.counter("felix_nft_netlink_commits")).isEqualTo(2);
            assertThat(Sh.ok(Sh.in(host, "nft", "list", "table", "inet", "calico")))
                    .contains("\"calig1\" : goto cali-tw-calig1", "chain cali-tw-calig1 {");
            assertThat(ping(up, ip(1))).as("the ping once its policy is in").isTrue();
            assertThat(backend.refresh())
                    .as("both halves read back as committed")
                    .isZero();

            seen.clear();
            backend.apply(desired(2), () -> {
                seen.add(Sh.ok(Sh.in(host, "nft", "list", "table", "inet", "calico")));
                Sh.ok("ip", "-n", host, "route", "add", ip(2) + "/32", "dev", "calig2");
            });
            assertThat(metrics.counter("felix_nft_netlink_commits"))
                    .as("a table that exists: one")
                    .isEqualTo(3);
            assertThat(seen.get(0)).as("the table when the callback runs").contains("\"calig2\" : goto cali-tw-calig2");
            assertThat(ping(up, ip(2))).isTrue();

            Sh.ok(Sh.in(host, "nft", "delete", "table", "inet", "calico"));
            namespaces.add(workload(host, id, 3)); // never pinged: as workload 1 was at its first ping
            Sh.ok("ip", "-n", host, "route", "add", ip(3) + "/32", "dev", "calig3");
            assertThat(ping(up, ip(3)))
                    .as("a route without our table: the drop was the table's")
                    .isTrue();
        } finally {
            if (kernel != null) {
                kernel.close();
            }
            for (String ns : namespaces) {
                Sh.run("ip", "netns", "del", ns);
            }
        }
    }

    /**
     * The second half cannot be sent over netlink: written with {@code nft -f} on its own (the first half is in),
     * and the table lists as after a netlink commit of both; the callback ran between them.
     */
    @Test
    void aSecondHalfThatCannotBeSentIsWrittenOnItsOwnWithNft() throws Exception {
        Sh.require("ip", "nft");
        String id = UUID.randomUUID().toString().substring(0, 6);
        String ns = "ng-" + id + "-f";
        String ref = "ng-" + id + "-r";
        NftKernel kernel = null;
        NftKernel refKernel = null;
        try {
            Sh.ok("ip", "netns", "add", ns);
            Sh.ok("ip", "netns", "add", ref);
            Namespace here = Namespace.named(ns);
            List<List<String>> ran = new ArrayList<>();
            CommandRunner nft = here.commands();
            kernel = new NftKernel(here);
            kernel.writer("netlink");
            Metrics metrics = new Metrics();
            NftBackend backend = new NftBackend(
                    (argv, stdin, timeout) -> {
                        ran.add(List.copyOf(argv));
                        return nft.run(argv, stdin, timeout);
                    },
                    metrics,
                    kernel);
            NftKernel k = kernel;
            int[] sends = {0};
            backend.sendBatchesWith(batch -> {
                if (++sends[0] == 2) {
                    throw new IllegalStateException("socket gone");
                }
                k.commit(batch);
            });
            assertThat(backend.refresh()).isZero();
            List<String> seen = new ArrayList<>();
            backend.apply(desired(2), () -> seen.add("guarded after send " + sends[0]));

            assertThat(seen).containsExactly("guarded after send 1");
            assertThat(ran).containsExactly(List.of("nft", "-f", "-"));
            assertThat(metrics.counter("felix_nft_netlink_commits")).isEqualTo(1);
            refKernel = new NftKernel(Namespace.named(ref));
            refKernel.writer("netlink");
            new NftBackend(
                            (argv, stdin, timeout) -> {
                                throw new AssertionError("ran " + argv);
                            },
                            new Metrics(),
                            refKernel)
                    .apply(desired(2), () -> {});
            String table = Sh.ok(Sh.in(ns, "nft", "list", "table", "inet", "calico"));
            assertThat(table)
                    .isEqualTo(Sh.ok(Sh.in(ref, "nft", "list", "table", "inet", "calico")))
                    .contains("\"calig2\" : goto cali-tw-calig2");
            assertThat(backend.refresh())
                    .as("reads back as both halves wrote it")
                    .isZero();
        } finally {
            for (NftKernel x : new NftKernel[] {kernel, refKernel}) {
                if (x != null) {
                    x.close();
                }
            }
            Sh.run("ip", "netns", "del", ns);
            Sh.run("ip", "netns", "del", ref);
        }
    }

    /** Workload {@code n}: namespace with eth0 {@link #ip}, joined to {@code host} by veth calig{@code n}. */
    private static String workload(String host, String id, int n) {
        String ns = "ng-" + id + "-w" + n;
        String ifc = "calig" + n;
        Sh.ok("ip", "netns", "add", ns);
        Sh.ok("ip", "-n", host, "link", "add", ifc, "type", "veth", "peer", "name", "eth0", "netns", ns);
        Sh.ok("ip", "-n", host, "link", "set", ifc, "up");
        Sh.ok(Sh.in(host, "sysctl", "-qw", "net.ipv4.conf." + ifc + ".proxy_arp=1"));
        Sh.ok("ip", "-n", ns, "link", "set", "lo", "up");
        Sh.ok("ip", "-n", ns, "addr", "add", ip(n) + "/32", "dev", "eth0");
        Sh.ok("ip", "-n", ns, "link", "set", "eth0", "up");
        Sh.ok("ip", "-n", ns, "route", "add", "169.254.1.1", "dev", "eth0", "scope", "link");
        Sh.ok("ip", "-n", ns, "route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
        return ns;
    }

    private static String ip(int n) {
        return "10.1.0." + n;
    }

    /** Workloads 1..{@code n} with a profile that allows everything. */
    private static DesiredDataplane desired(int n) {
        Keys keys = new Keys();
        DatastoreState state = new DatastoreState(keys, "h1");
        state.apply(
                keys.profileRules("open"),
                "{\"inbound_rules\":[{\"action\":\"allow\"}],\"outbound_rules\":[{\"action\":\"allow\"}]}");
        for (int i = 1; i <= n; i++) {
            state.apply(
                    keys.endpoint("h1", "k8s", "wl" + i, "eth0"),
                    "{\"state\":\"active\",\"name\":\"calig" + i + "\",\"profile_ids\":[\"open\"],"
                            + "\"ipv4_nets\":[\"" + ip(i) + "/32\"]}");
        }
        return new Calculator(x -> {}).calculate(state, FelixConfig.defaults());
    }

    private static boolean ping(String from, String ip) {
        return Sh.run("ip", "netns", "exec", from, "ping", "-c", "1", "-W", "1", ip)
                        .exit()
                == 0;
    }
}
