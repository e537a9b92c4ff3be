package org.calicojava.felix.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calicojava.felix.agent.Metrics;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.EndpointKey;
import org.calicojava.felix.rules.Action;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.Rule;
import org.calicojava.process.CommandRunner;
import org.junit.jupiter.api.Test;

/**
 * The iptables backend writes the dispatch to the calculation's interfaces into the filter table of each family with
 * policy, and only there (a fake kernel records what each restore is given; FelixAgentIT and FelixV6IT send packets
 * through the real one).
 */
class IptablesDispatchTest {
    /** Every restore's binary and input, in order. */
    static final class Kernel implements CommandRunner {
        final List<String[]> restores = new ArrayList<>();

        @Override
        public Result run(List<String> argv, String stdin, Duration timeout) {
            if (argv.get(0).endsWith("-restore")) {
                restores.add(new String[] {argv.get(0), stdin == null ? "" : stdin});
            }
            return new Result(0, "", "");
        }

        /** The lines of the restores by {@code binary} (iptables-... or ip6tables-...) into {@code table}. */
        List<String> lines(String binary, String table) {
            List<String> out = new ArrayList<>();
            for (String[] r : restores) {
                if (r[0].startsWith(binary) && r[1].startsWith("*" + table + "\n")) {
                    out.addAll(r[1].lines().toList());
                }
            }
            return out;
        }
    }

    private static DesiredDataplane desired(String... ifaces) {
        Map<String, Chain> filter = Map.of("cali-x", new Chain("cali-x", List.of(new Rule(Action.Verdict.DROP, "x"))));
        Map<String, Chain> nat = Map.of("cali-n", new Chain("cali-n", List.of(new Rule(Action.Verdict.ACCEPT, "n"))));
        java.util.HashMap<String, EndpointKey> interfaces = new java.util.HashMap<>();
        for (String i : ifaces) {
            interfaces.put(i, new EndpointKey("h1", "k8s", i, "eth0"));
        }
        return new DesiredDataplane(Map.of(), interfaces, filter, nat, Map.of(), Map.of(), filter, nat, Map.of());
    }

    @Test
    void eachFamilysFilterTableGetsTheDispatchToTheInterfaces() {
        Kernel k = new Kernel();
        IptablesBackend b = new IptablesBackend(k, IptablesCommands.of("legacy"), new Metrics());
        b.apply(desired("cali1", "cali2"));
        for (String binary : new String[] {"iptables-", "ip6tables-"}) {
            assertThat(k.lines(binary, "filter"))
                    .as(binary + " filter")
                    .contains(":cali-from-wl-dispatch - [0:0]", ":cali-to-wl-dispatch - [0:0]")
                    .anyMatch(l -> l.startsWith("-A cali-from-wl-dispatch ") && l.endsWith("-i cali2 -g cali-fw-cali2"))
                    .anyMatch(l -> l.startsWith("-A cali-to-wl-dispatch ") && l.endsWith("-o cali1 -g cali-tw-cali1"));
            assertThat(k.lines(binary, "nat")).as(binary + " nat").noneMatch(l -> l.contains("wl-dispatch"));
        }
        k.restores.clear();
        b.apply(desired("cali1")); // cali2 goes: its dispatch rules with it
        for (String binary : new String[] {"iptables-", "ip6tables-"}) {
            assertThat(k.lines(binary, "filter"))
                    .as(binary + " filter after cali2 went")
                    .anyMatch(l -> l.startsWith("-A cali-from-wl-dispatch ") && l.endsWith("-i cali1 -g cali-fw-cali1"))
                    .noneMatch(l -> l.contains("cali2"));
        }
    }
}
