package org.calicojava.felix.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.UUID;
import org.calicojava.felix.agent.Metrics;
import org.calicojava.felix.nft.NftBackend;
import org.calicojava.netlink.Netlink;
import org.calicojava.process.CommandRunner;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.Test;

/**
 * The local endpoints' interfaces get their sysctls as soon as the datastore is decoded, before the first calculation
 * and apply ({@link Dataplane#sysctlsAhead}), in a namespace of the test's own: only the interfaces named (present
 * ones; a missing name is skipped), after the take-over read, and nothing else on the host is touched. The global
 * forwarding settings come before that read, so the interfaces' own forwarding is not written again.
 */
class SysctlsAheadIT {
    private static final CommandRunner NO_COMMANDS = (argv, stdin, timeout) -> {
        throw new AssertionError("ran a command: " + argv);
    };

    @Test
    void namedInterfacesAreConfiguredBeforeAnyApply() throws Exception {
        Sh.require("ip");
        String ns = "sa-" + UUID.randomUUID().toString().substring(0, 6);
        Dataplane dp = null;
        Netlink nl = null;
        try {
            Sh.ok("ip", "netns", "add", ns);
            for (String i : new String[] {"1", "2"}) {
                Sh.ok("ip", "-n", ns, "link", "add", "calisa" + i, "type", "veth", "peer", "name", "psa" + i);
            }
            Namespace n = Namespace.named(ns);
            nl = n.openNetlink();
            dp = new Dataplane(n, nl, new NftBackend(NO_COMMANDS, new Metrics(), new NftKernel(n)), 80);
            dp.takeOverInBackground(drift -> {}, e -> {});
            dp.sysctlsAhead(Set.of("calisa1", "calimissing"));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!conf(ns, "ipv4/conf/calisa1/proxy_arp").equals("1") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(conf(ns, "ipv4/conf/calisa1/proxy_arp")).isEqualTo("1");
            assertThat(conf(ns, "ipv4/conf/calisa1/route_localnet")).isEqualTo("1");
            assertThat(conf(ns, "ipv4/conf/calisa1/forwarding")).isEqualTo("1");
            assertThat(conf(ns, "ipv4/neigh/calisa1/proxy_delay")).isEqualTo("0");
            assertThat(conf(ns, "ipv4/conf/calisa2/proxy_arp")).as("not named").isEqualTo("0");
            assertThat(conf(ns, "ipv4/conf/psa1/proxy_arp")).as("the peer").isEqualTo("0");
            while (dp.sysctlsWritten() == 0 && System.nanoTime() < deadline) { // counted once the interface is done
                Thread.sleep(20);
            }
            assertThat(dp.sysctlsWritten())
                    .as("forwarding was on before the take-over read the links: 5 of the 7 settings written")
                    .isEqualTo(5);
        } finally {
            if (dp != null) {
                dp.close();
            }
            if (nl != null) {
                nl.close();
            }
            Sh.run("ip", "netns", "del", ns);
        }
    }

    private static String conf(String ns, String key) {
        return Sh.ok(Sh.in(ns, "cat", "/proc/sys/net/" + key)).strip();
    }
}
