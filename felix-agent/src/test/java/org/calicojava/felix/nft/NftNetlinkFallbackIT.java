package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
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
 * over netlink again and nothing drifted. The first transaction into an empty table, whose second half cannot be
 * sent, has that half written with {@code nft -f} on its own.
 */
class NftNetlinkFallbackIT {
    private static final CommandRunner NO_COMMANDS = (argv, stdin, timeout) -> {
        throw new AssertionError("the netlink writer ran a command: " + argv);
    };

    @Test
    void aBatchThatCannotBeSentIsWrittenWithNftAndListsAsTheNetlinkPathWritesIt() throws Exception {
        inTwoNamespaces(t -> {
            NfTables dead = t.here.run(NfTables::open);
            dead.close();
            t.backend.sendBatchesWith(dead::commit);

            DesiredDataplane[] steps = {
                NftStateTest.desired(NftStateTest.ifaces(3), Set.of("10.65.0.1/32", "10.65.0.2/32")),
                NftStateTest.desired(NftStateTest.ifaces(5), Set.of("10.65.0.2/32", "10.65.0.3/32", "10.66.0.0/24")),
            };
            int n = 0;
            for (DesiredDataplane d : steps) {
                t.backend.apply(d);
                t.netlink.apply(d);
                n++;
                assertThat(t.metrics.counter("felix_nft_netlink_fallbacks")).isEqualTo(n);
                assertThat(t.metrics.counter("felix_nft_calls")).isEqualTo(n);
                assertThat(t.metrics.counter("felix_nft_netlink_commits")).isZero();
                assertThat(t.metrics.counter("felix_nft_errors")).isZero();
                assertThat(t.ran).hasSize(n).allSatisfy(argv -> assertThat(argv).containsExactly("nft", "-f", "-"));
                assertThat(t.refMetrics.counter("felix_nft_netlink_commits")).isEqualTo(n);
                assertThat(list(t.ns)).isEqualTo(list(t.ref)).contains("cali00000000002");
            }
            assertThat(list(t.ns)).contains("10.66.0.0/24", "cali00000000004").doesNotContain("10.65.0.1");
            assertThat(t.backend.refresh())
                    .as("what nft -f wrote reads back as the backend believes")
                    .isZero();

            t.backend.sendBatchesWith(t.kernel::commit); // the socket works again: netlink, no more nft
            t.backend.apply(steps[0]);
            t.netlink.apply(steps[0]);
            assertThat(t.metrics.counter("felix_nft_netlink_commits")).isEqualTo(1);
            assertThat(t.metrics.counter("felix_nft_netlink_fallbacks")).isEqualTo(n);
            assertThat(t.ran).hasSize(n);
            assertThat(list(t.ns)).isEqualTo(list(t.ref)).doesNotContain("10.66.0.0/24", "cali00000000004");
            assertThat(t.backend.refresh()).isZero();
        });
    }

    /**
     * Into an empty table ({@link NftFreshTable}) the second half cannot be sent: it is written with {@code nft -f}
     * on its own (the first half is in), the callback ran between the halves, and the table lists as where both
     * halves went over netlink.
     */
    @Test
    void aSecondHalfThatCannotBeSentIsWrittenOnItsOwnWithNft() throws Exception {
        inTwoNamespaces(t -> {
            int[] sends = {0};
            t.backend.sendBatchesWith(batch -> {
                if (++sends[0] == 2) {
                    throw new IllegalStateException("socket gone");
                }
                return t.kernel.commit(batch);
            });
            DesiredDataplane d = NftStateTest.desired(NftStateTest.ifaces(2), Set.of("10.65.0.1/32"));
            List<String> seen = new ArrayList<>();
            assertThat(t.backend.refresh()).isZero();
            t.backend.apply(d, () -> seen.add("guarded after send " + sends[0]));
            t.netlink.apply(d, () -> {});

            assertThat(seen).containsExactly("guarded after send 1");
            assertThat(t.ran).containsExactly(List.of("nft", "-f", "-"));
            assertThat(t.metrics.counter("felix_nft_netlink_commits")).isEqualTo(1);
            assertThat(t.refMetrics.counter("felix_nft_netlink_commits")).isEqualTo(2);
            assertThat(list(t.ns))
                    .isEqualTo(list(t.ref))
                    .contains("\"cali00000000001\" : goto cali-tw-cali00000000001");
            assertThat(t.backend.refresh())
                    .as("reads back as both halves wrote it")
                    .isZero();
        });
    }

    /**
     * A batch that edits a chain by handle is committed, but its answers are lost (the sender commits, then fails as
     * on ENOBUFS: outcome unknown): the changes go again with {@code nft -f}, the chain flushed and filled, since an
     * edit sent twice would append its rules twice. The table lists as the netlink path leaves it, each rule once.
     */
    @Test
    void anEditWhoseOutcomeIsUnknownIsWrittenAgainWholeNotTwice() throws Exception {
        inTwoNamespaces(t -> {
            assertThat(t.backend.refresh()).isZero();
            t.backend.apply(NftRuleHandlesIT.profile(22, 80, 443));
            t.netlink.apply(NftRuleHandlesIT.profile(22, 80, 443));
            t.backend.sendBatchesWith(batch -> {
                t.kernel.commit(batch);
                throw new IllegalStateException("answers lost");
            });
            t.backend.apply(NftRuleHandlesIT.profile(22, 80, 443, 8080));
            t.netlink.apply(NftRuleHandlesIT.profile(22, 80, 443, 8080));
            assertThat(t.metrics.counter("felix_nft_netlink_fallbacks")).isEqualTo(1);
            assertThat(t.ran).containsExactly(List.of("nft", "-f", "-"));
            String listed = list(t.ns);
            assertThat(listed).isEqualTo(list(t.ref));
            assertThat(listed.split("tcp dport 8080 ", -1))
                    .as("the new rule once")
                    .hasSize(2);
        });
    }

    /**
     * Namespace {@code ns} written by {@code backend} (netlink, its {@code nft} runs recorded in {@code ran}), and
     * {@code ref} written by {@code netlink} (netlink only).
     */
    private record Two(
            String ns,
            String ref,
            Namespace here,
            NftKernel kernel,
            NftBackend backend,
            Metrics metrics,
            List<List<String>> ran,
            NftBackend netlink,
            Metrics refMetrics) {}

    private interface Body {
        void run(Two t) throws Exception;
    }

    /** Runs {@code body} in two new namespaces, removed afterwards also when it fails. */
    private static void inTwoNamespaces(Body body) throws Exception {
        Sh.require("ip", "nft");
        String id = UUID.randomUUID().toString().substring(0, 6);
        String ns = "nf-" + id + "-fb";
        String ref = "nf-" + id + "-nl";
        NftKernel kernel = null;
        NftKernel refKernel = null;
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
            refKernel = new NftKernel(Namespace.named(ref));
            refKernel.writer("netlink");
            Metrics refMetrics = new Metrics();
            body.run(new Two(
                    ns,
                    ref,
                    here,
                    kernel,
                    new NftBackend(recording, metrics, kernel),
                    metrics,
                    ran,
                    new NftBackend(NO_COMMANDS, refMetrics, refKernel),
                    refMetrics));
        } finally {
            for (NftKernel k : new NftKernel[] {kernel, refKernel}) {
                if (k != null) {
                    k.close();
                }
            }
            Sh.run("ip", "netns", "del", ns);
            Sh.run("ip", "netns", "del", ref);
        }
    }

    private static String list(String ns) {
        return Sh.ok(Sh.in(ns, "nft", "list", "table", "inet", "calico"));
    }
}
