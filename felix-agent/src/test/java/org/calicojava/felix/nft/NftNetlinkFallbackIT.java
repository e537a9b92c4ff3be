package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.calicojava.felix.agent.Metrics;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.felix.dataplane.NftKernel;
import org.calicojava.netlink.NfTables;
import org.calicojava.process.CommandRunner;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.Test;

/**
 * The nftables backend's {@code nft -f} fallback, on a real kernel: with {@code NftablesWriter=netlink}, each batch is
 * sent on a real netlink socket of the namespace that was closed under it (as a socket that died), so the send fails
 * the way a socket error does; the backend then writes the same transaction with {@code nft -f -} in the namespace
 * (counted in {@code felix_nft_netlink_fallbacks}, the {@code nft} runner called), and the table lists exactly as the
 * netlink path leaves it in a second namespace for the same desired states. Once sends work again, transactions go
 * over netlink again and nothing drifted.
 */
class NftNetlinkFallbackIT {
    private static final CommandRunner NO_COMMANDS = (argv, stdin, timeout) -> {
        throw new AssertionError("the netlink writer ran a command: " + argv);
    };

    @Test
    void aBatchThatCannotBeSentIsWrittenWithNftAndListsAsTheNetlinkPathWritesIt() throws Exception {
        Sh.require("ip", "nft");
        String id = UUID.randomUUID().toString().substring(0, 6);
        String ns = "nf-" + id + "-fb";
        String ref = "nf-" + id + "-nl";
        NftKernel kernel = null;
        NftKernel refKernel = null;
        NfTables dead = null;
        try {
            Sh.ok("ip", "netns", "add", ns);
            Sh.ok("ip", "netns", "add", ref);
            Namespace here = Namespace.named(ns);
            List<List<String>> ran = new CopyOnWriteArrayList<>();
            CommandRunner nft = here.commands();
            CommandRunner recording = (argv, stdin, timeout) -> {
                ran.add(List.copyOf(argv));
                return nft.run(argv, stdin, timeout);
            };
            kernel = new NftKernel(here);
            kernel.writer("netlink");
            Metrics metrics = new Metrics();
            NftBackend backend = new NftBackend(recording, metrics, kernel);
            dead = here.run(NfTables::open);
            dead.close();
            NfTables closed = dead;
            backend.sendBatchesWith(closed::commit);

            refKernel = new NftKernel(Namespace.named(ref));
            refKernel.writer("netlink");
            Metrics refMetrics = new Metrics();
            NftBackend netlink = new NftBackend(NO_COMMANDS, refMetrics, refKernel);

            DesiredDataplane[] steps = {
                NftStateTest.desired(NftStateTest.ifaces(3), Set.of("10.65.0.1/32", "10.65.0.2/32")),
                NftStateTest.desired(NftStateTest.ifaces(5), Set.of("10.65.0.2/32", "10.65.0.3/32", "10.66.0.0/24")),
            };
            int n = 0;
            for (DesiredDataplane d : steps) {
                backend.apply(d);
                netlink.apply(d);
                n++;
                assertThat(metrics.counter("felix_nft_netlink_fallbacks")).isEqualTo(n);
                assertThat(metrics.counter("felix_nft_calls")).isEqualTo(n);
                assertThat(metrics.counter("felix_nft_netlink_commits")).isZero();
                assertThat(metrics.counter("felix_nft_errors")).isZero();
                assertThat(ran).hasSize(n).allSatisfy(argv -> assertThat(argv).containsExactly("nft", "-f", "-"));
                assertThat(refMetrics.counter("felix_nft_netlink_commits")).isEqualTo(n);
                assertThat(list(ns)).isEqualTo(list(ref)).contains("cali00000000002");
            }
            assertThat(list(ns)).contains("10.66.0.0/24", "cali00000000004").doesNotContain("10.65.0.1");
            assertThat(backend.refresh())
                    .as("what nft -f wrote reads back as the backend believes")
                    .isZero();

            backend.sendBatchesWith(kernel::commit); // the socket works again: netlink, no more nft
            backend.apply(steps[0]);
            netlink.apply(steps[0]);
            assertThat(metrics.counter("felix_nft_netlink_commits")).isEqualTo(1);
            assertThat(metrics.counter("felix_nft_netlink_fallbacks")).isEqualTo(n);
            assertThat(ran).hasSize(n);
            assertThat(list(ns)).isEqualTo(list(ref)).doesNotContain("10.66.0.0/24", "cali00000000004");
            assertThat(backend.refresh()).isZero();
        } finally {
            if (kernel != null) {
                kernel.close();
            }
            if (refKernel != null) {
                refKernel.close();
            }
            if (dead != null) {
                dead.close();
            }
            Sh.run("ip", "netns", "del", ns);
            Sh.run("ip", "netns", "del", ref);
        }
    }

    private static String list(String ns) {
        return Sh.ok(Sh.in(ns, "nft", "list", "table", "inet", "calico"));
    }
}
