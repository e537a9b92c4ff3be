package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import org.calicojava.felix.agent.Metrics;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.felix.dataplane.NftKernel;
import org.calicojava.process.CommandRunner;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.Test;

/**
 * The nftables backend with {@code NftablesWriter=netlink} and a command runner that fails the test if anything is
 * run (so no {@code nft} at all): each transaction goes over netlink, and the table it leaves lists exactly as the
 * same transactions sent by {@code nft -f} leave it in a second namespace (first write, updates of sets, maps and
 * chains, removals). Drift (a chain flushed by hand) is found by the refresh and repaired over netlink.
 */
class NftNetlinkWriterIT {
    private static final CommandRunner NO_COMMANDS = (argv, stdin, timeout) -> {
        throw new AssertionError("the netlink writer ran a command: " + argv);
    };

    @Test
    void transactionsGoOverNetlinkListAsNftWritesThemAndDriftIsRepaired() throws Exception {
        inTwoNamespaces((ns, ref, metrics, backend) -> {
            NftState refState = new NftState();
            NftModel refModel = new NftModel();
            assertThat(backend.refresh()).isZero();

            DesiredDataplane[] steps = {
                NftStateTest.desired(NftStateTest.ifaces(3), Set.of("10.65.0.1/32", "10.65.0.2/32")),
                NftStateTest.desired(NftStateTest.ifaces(5), Set.of("10.65.0.2/32", "10.65.0.3/32", "10.66.0.0/24")),
                NftStateTest.desired(NftStateTest.ifaces(2), Set.of("10.66.0.0/24")),
            };
            int commits = 0;
            for (DesiredDataplane d : steps) {
                backend.apply(d);
                commits++;
                assertThat(metrics.counter("felix_nft_netlink_commits")).isEqualTo(commits);
                nftF(ref, refState, refModel.build(d));
                assertThat(list(ns)).isEqualTo(list(ref));
            }
            assertThat(list(ns))
                    .contains("cali00000000001\" : goto cali-fw-cali00000000001", "10.66.0.0/24")
                    .doesNotContain("cali00000000002", "10.65.0.2");

            Sh.ok(Sh.in(ns, "nft", "flush", "chain", "inet", "calico", "cali-tw-cali00000000001"));
            assertThat(backend.refresh()).as("the flushed chain is drift").isEqualTo(1);
            backend.apply(steps[2]);
            assertThat(metrics.counter("felix_nft_netlink_commits")).isEqualTo(commits + 1);
            assertThat(list(ns)).isEqualTo(list(ref));
            assertThat(backend.refresh()).as("repaired: no drift left").isZero();
            assertThat(metrics.counter("felix_nft_calls")).isZero();
            assertThat(metrics.counter("felix_nft_netlink_fallbacks")).isZero();
        });
    }

    /**
     * Two profiles with the same port-list rule (the model renders equal rules once): each rule still gets an
     * anonymous set of its own in the batch, since the kernel binds an anonymous set to one rule only (a shared one
     * fails the whole transaction with EBUSY). Committed over netlink in a namespace; the table lists as nft -f of
     * the same transaction leaves it.
     */
    @Test
    void equalPortListRulesInOneBatchEachGetTheirOwnAnonymousSet() throws Exception {
        inTwoNamespaces((ns, ref, metrics, backend) -> {
            org.calicojava.model.Keys keys = new org.calicojava.model.Keys();
            org.calicojava.felix.calc.DatastoreState state = new org.calicojava.felix.calc.DatastoreState(keys, "h1");
            for (String p : new String[] {"p1", "p2"}) {
                state.apply(
                        keys.profileRules(p),
                        "{\"inbound_rules\":[{\"protocol\":\"tcp\",\"dst_ports\":[80,443,\"8000:8080\"]}],"
                                + "\"outbound_rules\":[{\"protocol\":\"udp\",\"dst_ports\":[53,5353]}]}");
                state.apply(
                        keys.endpoint("h1", "k8s", "wl-" + p, p),
                        "{\"state\":\"active\",\"name\":\"cali" + p + "\",\"profile_ids\":[\"" + p
                                + "\"],\"ipv4_nets\":[\"10.1.0." + p.charAt(1) + "/32\"]}");
            }
            DesiredDataplane d = new org.calicojava.felix.calc.Calculator(x -> {})
                    .calculate(state, org.calicojava.felix.calc.FelixConfig.defaults());
            backend.apply(d);
            assertThat(metrics.counter("felix_nft_netlink_commits")).isEqualTo(1);
            nftF(ref, new NftState(), new NftModel().build(d));
            assertThat(list(ns))
                    .isEqualTo(list(ref))
                    .contains("chain cali-pri-p1 {", "chain cali-pri-p2 {", "tcp dport { 80, 443, 8000-8080 }");
            assertThat(metrics.counter("felix_nft_netlink_fallbacks")).isZero();
        });
    }

    /** A test's body: namespace {@code ns} written by {@code backend} over netlink, {@code ref} for nft -f. */
    interface TwoNamespaces {
        void run(String ns, String ref, Metrics metrics, NftBackend backend) throws Exception;
    }

    /** Runs {@code body} in two new namespaces, removed afterwards also when it fails. */
    static void inTwoNamespaces(TwoNamespaces body) throws Exception {
        Sh.require("ip", "nft");
        String id = UUID.randomUUID().toString().substring(0, 6);
        String ns = "nw-" + id + "-nl";
        String ref = "nw-" + id + "-ref";
        NftKernel kernel = null;
        try {
            Sh.ok("ip", "netns", "add", ns);
            Sh.ok("ip", "netns", "add", ref);
            kernel = new NftKernel(Namespace.named(ns));
            kernel.writer("netlink");
            Metrics metrics = new Metrics();
            body.run(ns, ref, metrics, new NftBackend(NO_COMMANDS, metrics, kernel));
        } finally {
            if (kernel != null) {
                kernel.close();
            }
            Sh.run("ip", "netns", "del", ns);
            Sh.run("ip", "netns", "del", ref);
        }
    }

    /** The transaction from {@code state} to {@code want}, sent with nft -f in namespace {@code ns}. */
    static void nftF(String ns, NftState state, NftRuleset want) throws Exception {
        NftState.Diff diff = state.diff(want);
        if (diff.isEmpty()) {
            return;
        }
        Path f = Files.createTempFile("nft-ref", ".nft");
        try {
            Files.writeString(f, diff.script());
            Sh.ok(Sh.in(ns, "nft", "-f", f.toString()));
        } finally {
            Files.deleteIfExists(f);
        }
        state.commit(diff, want);
    }

    static String list(String ns) {
        return Sh.ok(Sh.in(ns, "nft", "list", "table", "inet", "calico"));
    }
}
