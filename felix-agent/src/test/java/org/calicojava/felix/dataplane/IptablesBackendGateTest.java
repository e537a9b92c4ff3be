package org.calicojava.felix.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.calicojava.felix.agent.Metrics;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.rules.Action;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.Match;
import org.calicojava.felix.rules.Rule;
import org.calicojava.process.CommandRunner;
import org.junit.jupiter.api.Test;

/**
 * The iptables-nft backend's refresh skips reading back while the nftables generation moved only by its own
 * restores (one commit each), and reads back after anyone else's commit (a fake kernel here; FelixAgentIT on the
 * real one).
 */
class IptablesBackendGateTest {
    /** iptables-nft: each restore is one commit; saves are counted. */
    static final class Kernel implements CommandRunner {
        final AtomicLong generation = new AtomicLong(40);
        int saves;

        @Override
        public Result run(List<String> argv, String stdin, Duration timeout) {
            if (argv.get(0).endsWith("-save")) {
                saves++;
                return new Result(0, "", "");
            }
            if (argv.get(0).endsWith("-restore")) {
                generation.incrementAndGet();
            }
            return new Result(0, "", ""); // ipset
        }
    }

    private static DesiredDataplane desired(String action) {
        Map<String, Chain> filter = Map.of(
                "cali-x",
                new Chain(
                        "cali-x",
                        List.of(Rule.of(
                                Action.Verdict.valueOf(action.substring(3)), new Match.Protocol("tcp", false)))));
        return new DesiredDataplane(
                Map.of(), Map.of(), filter, Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
    }

    @Test
    void ownRestoresKeepTheMarkAnotherCommitDoesNot() {
        Kernel k = new Kernel();
        Metrics metrics = new Metrics();
        IptablesBackend b = new IptablesBackend(k, IptablesCommands.of("nft"), metrics, k.generation::get);
        b.refresh();
        int reads = k.saves;
        assertThat(reads).isPositive();
        b.apply(desired("-j DROP"));
        b.apply(desired("-j ACCEPT"));
        b.refresh();
        assertThat(k.saves).as("only our own restores since the read-back").isEqualTo(reads);
        assertThat(metrics.counter("felix_refreshes_skipped")).isEqualTo(1);
        k.generation.incrementAndGet(); // someone else's commit
        b.refresh();
        assertThat(k.saves).isGreaterThan(reads);
    }

    @Test
    void legacyAlwaysReadsBack() {
        Kernel k = new Kernel();
        IptablesBackend b = new IptablesBackend(k, IptablesCommands.of("legacy"), new Metrics(), k.generation::get);
        b.refresh();
        int reads = k.saves;
        b.refresh();
        assertThat(k.saves).isEqualTo(2 * reads);
    }
}
