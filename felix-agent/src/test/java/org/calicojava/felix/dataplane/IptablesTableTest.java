package org.calicojava.felix.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.felix.agent.Metrics;
import org.calicojava.felix.rules.Action;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.Rule;
import org.calicojava.process.CommandRunner;
import org.junit.jupiter.api.Test;

/** The table manager against a fake iptables that keeps the text it was given (the real one: FelixAgentIT). */
class IptablesTableTest {
    /** Records restore inputs; answers save with {@link #saved}. */
    static final class FakeIptables implements CommandRunner {
        final List<String> restores = new ArrayList<>();
        String saved = "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n";
        boolean fail;

        @Override
        public Result run(List<String> argv, String stdin, Duration timeout) {
            if (argv.get(0).endsWith("-save")) {
                return new Result(0, saved, "");
            }
            assertThat(argv).contains("--noflush", "-w");
            restores.add(stdin);
            return fail ? new Result(1, "", "iptables-restore: line 3 failed\nmore") : new Result(0, "", "");
        }
    }

    private final FakeIptables fake = new FakeIptables();
    private final IptablesTable table = new IptablesTable("filter", fake, IptablesCommands.of("auto"), new Metrics());

    private static Chain chain(String name, String... actions) {
        List<Rule> rules = new ArrayList<>();
        for (String a : actions) {
            String t = a.substring(3); // "-j TARGET" in the tables below
            rules.add(Rule.of(t.startsWith("cali-") ? new Action.Jump(t) : Action.Verdict.valueOf(t)));
        }
        return new Chain(name, rules);
    }

    @Test
    void writesOnlyChangedChainsAndDeletesUnwantedOnes() {
        table.refresh();
        Map<String, Chain> want = new LinkedHashMap<>();
        want.put("cali-a", chain("cali-a", "-j ACCEPT"));
        want.put("cali-b", chain("cali-b", "-j DROP"));
        table.setDesired(want);
        assertThat(table.apply()).isPositive();
        assertThat(fake.restores.get(0))
                .contains(":cali-a - [0:0]", ":cali-b - [0:0]", "-I INPUT 1 -m comment", "-I FORWARD 1", "-I OUTPUT 1");
        assertThat(table.apply()).as("nothing changed: no call").isZero();
        assertThat(fake.restores).hasSize(1);

        Map<String, Chain> next = new LinkedHashMap<>();
        next.put("cali-a", chain("cali-a", "-j RETURN"));
        table.setDesired(next);
        table.apply();
        String script = fake.restores.get(1);
        assertThat(script).contains(":cali-a - [0:0]", "-j RETURN", "-X cali-b").doesNotContain("-I INPUT");
        assertThat(table.programmed("cali-a")).isTrue();
    }

    @Test
    void refreshFindsDriftAndTheNextApplyRepairsIt() {
        table.refresh();
        table.setDesired(Map.of("cali-a", chain("cali-a", "-j ACCEPT", "-j DROP")));
        table.apply();
        // the kernel now shows the chain with its second rule removed by hand
        String written = fake.restores.get(0);
        String firstRule = written.lines()
                .filter(l -> l.startsWith("-A cali-a"))
                .findFirst()
                .orElseThrow();
        String hooks = String.join(
                "\n",
                written.lines()
                        .filter(l -> l.startsWith("-I "))
                        .map(l -> l.replace("-I ", "-A ").replaceFirst(" 1 ", " "))
                        .toList());
        fake.saved = "*filter\n:INPUT ACCEPT [0:0]\n:cali-a - [0:0]\n" + hooks + "\n" + firstRule + "\nCOMMIT\n";
        assertThat(table.refresh()).isEqualTo(1);
        table.apply();
        assertThat(fake.restores.get(1)).contains(":cali-a - [0:0]").doesNotContain("-I INPUT");
    }

    @Test
    void manyChangedChainsAreWrittenInSeveralCallsReferencedChainsFirst() {
        table.refresh();
        Map<String, Chain> want = new LinkedHashMap<>();
        int n = IptablesTable.CHAINS_PER_RESTORE + 10;
        for (int i = 0; i < n; i++) {
            want.put("cali-tw-" + i, chain("cali-tw-" + i, "-j cali-pri-x", "-j DROP"));
        }
        want.put("cali-pri-x", chain("cali-pri-x", "-j RETURN"));
        table.setDesired(want);
        table.apply();
        assertThat(fake.restores).hasSize(2);
        assertThat(fake.restores.get(0))
                .startsWith("*filter\n:cali-pri-x - [0:0]\n")
                .doesNotContain("-I INPUT");
        assertThat(fake.restores.get(1)).contains("-I INPUT 1");
        assertThat(table.apply()).isZero();
    }

    @Test
    void failedRestoreIsOneLineAndForgetsWhatItBelieved() {
        table.refresh();
        table.setDesired(Map.of("cali-a", chain("cali-a", "-j ACCEPT")));
        fake.fail = true;
        assertThatThrownBy(table::apply)
                .isInstanceOf(DataplaneException.class)
                .hasMessage("iptables-restore (filter): iptables-restore: line 3 failed");
        fake.fail = false;
        table.apply();
        assertThat(fake.restores).hasSize(2);
    }

    @Test
    void nothingWantedAnyMoreRemovesOurHooksWithTheChains() {
        table.refresh();
        table.setDesired(Map.of("cali-INPUT", chain("cali-INPUT", "-j ACCEPT")));
        table.apply();
        String hooks = String.join(
                "\n",
                fake.restores
                        .get(0)
                        .lines()
                        .filter(l -> l.startsWith("-I "))
                        .map(l -> l.replace("-I ", "-A ").replaceFirst(" 1 ", " "))
                        .toList());
        String rule = fake.restores
                .get(0)
                .lines()
                .filter(l -> l.startsWith("-A cali-INPUT"))
                .findFirst()
                .orElseThrow();
        fake.saved = "*filter\n:INPUT ACCEPT [0:0]\n:cali-INPUT - [0:0]\n" + hooks + "\n" + rule + "\nCOMMIT\n";
        assertThat(table.refresh()).isZero();
        table.setDesired(Map.of());
        assertThat(table.apply()).isEqualTo(4);
        String script = fake.restores.get(1);
        assertThat(script.lines().filter(l -> l.startsWith("-D ")).toList())
                .containsExactlyInAnyOrder(hooks.replace("-A ", "-D ").split("\n"));
        assertThat(script.indexOf("-D INPUT")).isLessThan(script.indexOf("-X cali-INPUT"));
        assertThat(table.apply()).as("gone: nothing more to do").isZero();
    }
}
