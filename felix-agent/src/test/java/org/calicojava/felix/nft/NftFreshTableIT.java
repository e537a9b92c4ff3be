package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.calicojava.felix.agent.Metrics;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.felix.dataplane.NftKernel;
import org.calicojava.process.CommandRunner;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.Test;

/**
 * The first transaction into an empty table when its second half cannot be sent over netlink (packets decide the
 * halves' order in {@code it.FreshTableRoutesIT}).
 */
class NftFreshTableIT {
    private static DesiredDataplane desired() {
        return NftStateTest.desired(NftStateTest.ifaces(2), java.util.Set.of("10.65.0.1/32"));
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
            backend.apply(desired(), () -> seen.add("guarded after send " + sends[0]));

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
                    .apply(desired(), () -> {});
            String table = Sh.ok(Sh.in(ns, "nft", "list", "table", "inet", "calico"));
            assertThat(table)
                    .isEqualTo(Sh.ok(Sh.in(ref, "nft", "list", "table", "inet", "calico")))
                    .contains("\"cali00000000001\" : goto cali-tw-cali00000000001");
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
}
