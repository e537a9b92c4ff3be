package org.calicojava.felix.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.felix.agent.Metrics;
import org.calicojava.felix.calc.PersistentMap;
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
        /** A line the restore refuses, answered as iptables-restore does ("line N failed"). */
        String refuse;

        @Override
        public Result run(List<String> argv, String stdin, Duration timeout) {
            if (argv.get(0).endsWith("-save")) {
                return new Result(0, saved, "");
            }
            assertThat(argv).contains("--noflush", "-w");
            restores.add(stdin);
            List<String> lines = stdin.lines().toList();
            if (refuse != null && lines.contains(refuse)) {
                return new Result(1, "", "iptables-restore: line " + (lines.indexOf(refuse) + 1) + " failed\n");
            }
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

    /** The hook insertions of a restore script as iptables-save lists them afterwards. */
    private static String hooksAsSaved(String restore) {
        return String.join(
                "\n",
                restore.lines()
                        .filter(l -> l.startsWith("-I "))
                        .map(l -> l.replace("-I ", "-A ").replaceFirst(" 1 ", " "))
                        .toList());
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
        String hooks = hooksAsSaved(written);
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
    void aTableIptablesCannotShowIsLeftAloneAndReportedNotTakenAsEmpty() {
        table.refresh();
        table.setDesired(Map.of("cali-a", chain("cali-a", "-j ACCEPT")));
        table.apply();
        String saved = "*filter\n:INPUT ACCEPT [0:0]\n:cali-a - [0:0]\n" + hooksAsSaved(fake.restores.get(0)) + "\n"
                + String.join(
                        "\n",
                        fake.restores
                                .get(0)
                                .lines()
                                .filter(l -> l.startsWith("-A cali-a "))
                                .toList())
                + "\nCOMMIT\n";
        // iptables-nft-save's answer (exit 0) once someone adds a rule with nft that iptables does not understand
        fake.saved = "# Table `filter' is incompatible, use 'nft' tool.\n";
        assertThat(table.refresh()).isZero();
        assertThatThrownBy(table::apply)
                .isInstanceOf(DataplaneException.class)
                .hasMessageContaining("iptables-save -t filter: the table holds rules written with nft");
        assertThat(fake.restores)
                .as("nothing written: no second copy of the hooks, as reading it as empty would write")
                .hasSize(1);

        fake.saved = saved; // the other program's rule is gone
        assertThat(table.refresh()).isZero();
        assertThat(table.apply()).as("in sync again").isZero();
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
        String hooks = hooksAsSaved(fake.restores.get(0));
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

    @Test
    void aSecondCopyOfOurHookAndAnEarlierVersionsHookAreRemoved() {
        table.refresh();
        Map<String, Chain> want = Map.of("cali-INPUT", chain("cali-INPUT", "-j ACCEPT"));
        table.setDesired(want);
        table.apply();
        String inputHook = hooksAsSaved(fake.restores.get(0))
                .lines()
                .filter(l -> l.startsWith("-A INPUT "))
                .findFirst()
                .orElseThrow();
        String old = "-A FORWARD -i eth9 -m comment --comment \"cali:oldVersionHook1\" -j cali-OLD";
        fake.saved = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:cali-OLD - [0:0]\n" + inputHook + "\n"
                + inputHook + "\n-A FORWARD -j ACCEPT\n" + old + "\nCOMMIT\n";
        table.refresh();
        table.apply();
        String script = fake.restores.get(1);
        assertThat(script.lines().filter(l -> l.startsWith("-D ")).toList())
                .as("both copies of our INPUT hook go (-D takes the first match, which would leave the lower one), and"
                        + " the old version's hook by the rule iptables-save showed")
                .containsExactly(
                        inputHook.replace("-A ", "-D "),
                        inputHook.replace("-A ", "-D "),
                        "-D FORWARD -i eth9 -m comment --comment \"cali:oldVersionHook1\" -j cali-OLD");
        assertThat(script.lines().filter(l -> l.startsWith("-I INPUT 1 ")))
                .as("and ours comes again at the top")
                .hasSize(1);
        assertThat(script).contains("-X cali-OLD").contains("-I FORWARD 1");
        assertThat(script.indexOf("-D INPUT")).isLessThan(script.indexOf("-I INPUT"));
        assertThat(script.indexOf("-D FORWARD")).isLessThan(script.indexOf("-X cali-OLD"));
        assertThat(table.apply()).as("nothing more to do").isZero();
    }

    @Test
    void ourHookBelowAnotherProgramsRuleGoesBackToTheTop() {
        table.refresh();
        table.setDesired(Map.of("cali-INPUT", chain("cali-INPUT", "-j ACCEPT")));
        table.apply();
        List<String> hooks = hooksAsSaved(fake.restores.get(0)).lines().toList();
        String inputHook = hooks.stream()
                .filter(l -> l.startsWith("-A INPUT "))
                .findFirst()
                .orElseThrow();
        String others = String.join(
                        "\n", hooks.stream().filter(l -> !l.equals(inputHook)).toList()) + "\n"
                + String.join(
                        "\n",
                        fake.restores
                                .get(0)
                                .lines()
                                .filter(l -> l.startsWith("-A cali-INPUT "))
                                .toList());
        // another program inserted a rule above our INPUT hook (as iptables -I INPUT 1 does); OUTPUT's is still first
        fake.saved = "*filter\n:INPUT ACCEPT [0:0]\n:cali-INPUT - [0:0]\n-A INPUT -s 10.9.0.0/16 -j DROP\n" + inputHook
                + "\n" + others + "\n-A OUTPUT -j ACCEPT\nCOMMIT\n";
        assertThat(table.refresh())
                .as("one drifted object: the INPUT hook's position")
                .isEqualTo(1);
        table.apply();
        String script = fake.restores.get(1);
        assertThat(script.lines().filter(l -> l.startsWith("-D ") || l.startsWith("-I ")))
                .containsExactly(inputHook.replace("-A ", "-D "), inputHook.replace("-A INPUT ", "-I INPUT 1 "));

        fake.saved = "*filter\n:INPUT ACCEPT [0:0]\n:cali-INPUT - [0:0]\n" + inputHook
                + "\n-A INPUT -s 10.9.0.0/16 -j DROP\n" + others + "\nCOMMIT\n";
        assertThat(table.refresh()).as("ours first again").isZero();
        assertThat(table.apply()).as("nothing more to do").isZero();
    }

    @Test
    void anUnknownRuleWhoseDeletionTheRestoreRefusesIsLeftAloneAndTheRestGoesIn() {
        String old = "-A FORWARD -m comment --comment \"cali:oldVersionHook1\" -j ACCEPT";
        fake.saved = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n" + old + "\nCOMMIT\n";
        fake.refuse = old.replace("-A ", "-D ");
        table.refresh();
        table.setDesired(Map.of("cali-INPUT", chain("cali-INPUT", "-j ACCEPT")));
        assertThatThrownBy(table::apply).isInstanceOf(DataplaneException.class);
        table.refresh(); // as the agent does after a failed restore
        assertThat(table.apply()).isPositive();
        String script = fake.restores.get(1);
        assertThat(script).doesNotContain("-D FORWARD").contains("-I FORWARD 1", ":cali-INPUT");
    }

    @Test
    void aSavedRuleThatIsNotRuleTextIsLeftAloneAndTheChainItJumpsToKept() {
        fake.saved = "*filter\n:INPUT ACCEPT [0:0]\n:cali-OLD - [0:0]\n-A INPUT -m comment --comment \"cali:old1\""
                + " -m comment --comment \"it's\" -j cali-OLD\n-A cali-OLD -j DROP\nCOMMIT\n";
        table.refresh();
        table.setDesired(Map.of("cali-INPUT", chain("cali-INPUT", "-j ACCEPT")));
        table.apply();
        assertThat(fake.restores.get(0))
                .as("-X of a chain in use would make the whole restore fail")
                .doesNotContain("-X cali-OLD", "-D INPUT")
                .contains(":cali-INPUT", "-I INPUT 1");
        assertThat(table.apply()).isZero();
        table.refresh(); // a read-back that still shows the rule (the hook now written is not in the fake's save)
        table.apply();
        assertThat(fake.restores).last().asString().doesNotContain("-D INPUT", "-X cali-OLD");
    }

    @Test
    void anApplyAfterAnApplyWritesWhatChangedBetweenTheTwoDesiredMaps() {
        table.refresh();
        PersistentMap.Builder<String, Chain> b = PersistentMap.<String, Chain>empty().toBuilder();
        for (int i = 0; i < 1000; i++) {
            b.put("cali-c" + i, chain("cali-c" + i, "-j ACCEPT"));
        }
        PersistentMap<String, Chain> first = b.build();
        table.setDesired(first);
        table.apply();
        assertThat(fake.restores.get(0)).contains(":cali-c0 - [0:0]", ":cali-c999 - [0:0]");

        b = first.toBuilder();
        b.put("cali-c7", chain("cali-c7", "-j DROP")); // changed
        b.remove("cali-c8"); // gone
        b.put("cali-new", chain("cali-new", "-j RETURN")); // new
        b.put("cali-c9", chain("cali-c9", "-j ACCEPT")); // a new object with the same rules: not written
        table.setDesired(b.build());
        assertThat(table.apply()).isPositive();
        String script = fake.restores.get(1);
        assertThat(script.lines().filter(l -> l.startsWith(":cali-")))
                .containsExactlyInAnyOrder(
                        ":cali-c7 - [0:0]", ":cali-new - [0:0]", ":cali-c8 - [0:0]"); // c8: flushed, then -X
        assertThat(script).contains("-X cali-c8").doesNotContain("cali-c9 ", "cali-c0 ");
        assertThat(table.programmed("cali-c9")).isTrue();
        assertThat(table.programmed("cali-c7")).isTrue();
    }

    @Test
    void afterARefreshFindsDriftTheSameDesiredMapIsComparedWhole() {
        table.refresh();
        PersistentMap.Builder<String, Chain> b = PersistentMap.<String, Chain>empty().toBuilder();
        b.put("cali-a", chain("cali-a", "-j ACCEPT"));
        b.put("cali-b", chain("cali-b", "-j ACCEPT", "-j DROP"));
        PersistentMap<String, Chain> want = b.build();
        table.setDesired(want);
        table.apply();
        String written = fake.restores.get(0);
        String hooks = hooksAsSaved(written);
        String a = written.lines()
                .filter(l -> l.startsWith("-A cali-a"))
                .findFirst()
                .orElseThrow();
        String b1 = written.lines()
                .filter(l -> l.startsWith("-A cali-b"))
                .findFirst()
                .orElseThrow();
        // cali-b lost its second rule by hand; the desired map is the very same object as before
        fake.saved = "*filter\n:INPUT ACCEPT [0:0]\n:cali-a - [0:0]\n:cali-b - [0:0]\n" + hooks + "\n" + a + "\n" + b1
                + "\nCOMMIT\n";
        assertThat(table.refresh()).isEqualTo(1);
        table.setDesired(want);
        assertThat(table.apply()).isPositive();
        assertThat(fake.restores.get(1)).contains(":cali-b - [0:0]").doesNotContain(":cali-a ");
        assertThat(table.apply()).isZero();
    }
}
