package org.calicojava.felix.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.process.CommandRunner;
import org.junit.jupiter.api.Test;

/** Which commands the clean-up runs for each choice (a recording runner: the kernel side is FelixStaleDataplaneIT). */
class StaleDataplaneTest {
    static final class Recorder implements CommandRunner {
        final List<String> calls = new ArrayList<>();
        final Map<String, String> stdins = new HashMap<>();
        final Map<String, Result> answers = new HashMap<>();

        @Override
        public Result run(List<String> argv, String stdin, Duration timeout) {
            String cmd = String.join(" ", argv);
            calls.add(cmd);
            if (stdin != null) {
                stdins.merge(cmd, stdin, String::concat);
            }
            return answers.getOrDefault(cmd, new Result(0, "", ""));
        }
    }

    @Test
    void nftablesChosenRemovesIptablesOfBothFamiliesAndFlavorsThenTheSets() {
        Recorder r = new Recorder();
        r.answers.put("iptables-nft-save", new CommandRunner.Result(0, StaleIptablesTest.SAVE, ""));
        r.answers.put("ip6tables-legacy-save", new CommandRunner.Result(0, """
                *filter
                :INPUT ACCEPT [0:0]
                :cali-INPUT - [0:0]
                -A INPUT -m comment --comment "cali:h6" -j cali-INPUT
                COMMIT
                """, ""));
        r.answers.put("ipset list -n", new CommandRunner.Result(0, "cali4-t-a\ncjc-mine\ncali6-t-a\ncalico-x\n", ""));
        int removed = new StaleDataplane(r, b -> true).remove("nftables", true, true);
        assertThat(removed).isEqualTo(8 + 4 + 1 + 1 + 2);
        assertThat(r.calls)
                .containsExactly(
                        "iptables-nft-save",
                        "iptables-nft-restore --noflush -w 10",
                        "iptables-nft-restore --noflush -w 10",
                        "iptables-nft-restore --noflush -w 10",
                        "iptables-legacy-save",
                        "ip6tables-nft-save",
                        "ip6tables-legacy-save",
                        "ip6tables-legacy-restore --noflush -w 10",
                        "ipset list -n",
                        "ipset restore");
        assertThat(r.stdins.get("ip6tables-legacy-restore --noflush -w 10")).isEqualTo("""
                *filter
                :cali-INPUT - [0:0]
                -D INPUT -m comment --comment "cali:h6" -j cali-INPUT
                -X cali-INPUT
                COMMIT
                """);
        assertThat(r.stdins.get("ipset restore")).isEqualTo("destroy cali4-t-a\ndestroy cali6-t-a\n");
    }

    @Test
    void nothingLeftCostsOneReadPerBinary() {
        Recorder r = new Recorder();
        assertThat(new StaleDataplane(r, b -> true).remove("nftables", true, true))
                .isZero();
        assertThat(r.calls)
                .containsExactly(
                        "iptables-nft-save",
                        "iptables-legacy-save",
                        "ip6tables-nft-save",
                        "ip6tables-legacy-save",
                        "ipset list -n");
    }

    @Test
    void missingBinariesAndAKernelWithoutIpv6AreSkipped() {
        Recorder r = new Recorder();
        new StaleDataplane(r, b -> !b.contains("legacy")).remove("nftables", true, false);
        assertThat(r.calls).containsExactly("iptables-nft-save", "ipset list -n");
    }

    @Test
    void iptablesChosenDeletesTheNftTableOnly() {
        Recorder r = new Recorder();
        r.answers.put(
                "nft delete table inet calico",
                new CommandRunner.Result(
                        1, "", "Error: Could not process rule: No such file or directory\ndelete table inet calico\n"));
        assertThat(new StaleDataplane(r, b -> true).remove("iptables", true, true))
                .isZero();
        assertThat(r.calls).containsExactly("nft delete table inet calico");
        r.answers.clear();
        assertThat(new StaleDataplane(r, b -> true).remove("iptables", true, true))
                .isEqualTo(1);
    }

    @Test
    void ipv6SupportOffRemovesIp6tablesAndCali6SetsOnly() {
        Recorder r = new Recorder();
        r.answers.put("ip6tables-nft-save", new CommandRunner.Result(0, StaleIptablesTest.SAVE, ""));
        r.answers.put("ipset list -n", new CommandRunner.Result(0, "cali4-t-a\ncali6-t-a\n", ""));
        assertThat(new StaleDataplane(r, b -> true).remove("iptables", false, true))
                .as("the nft table too")
                .isEqualTo(1 + 8 + 4 + 1);
        assertThat(r.calls)
                .doesNotContain("iptables-nft-save", "iptables-legacy-save")
                .contains("nft delete table inet calico", "ip6tables-nft-save", "ip6tables-legacy-save");
        assertThat(r.stdins.get("ipset restore")).isEqualTo("destroy cali6-t-a\n");
        r.calls.clear();
        new StaleDataplane(r, b -> true).remove("iptables", false, false);
        assertThat(r.calls).containsExactly("nft delete table inet calico");
    }

    @Test
    void aSetInUseIsKeptAndTheOthersDestroyed() {
        Recorder r = new Recorder();
        r.answers.put("ipset list -n", new CommandRunner.Result(0, "cali6-a\ncali6-b\n", ""));
        r.answers.put("ipset restore", new CommandRunner.Result(1, "", "ipset v7.17: Error in line 1: in use"));
        r.answers.put("ipset destroy cali6-a", new CommandRunner.Result(1, "", "in use by a kernel component"));
        assertThat(new StaleDataplane(r, b -> b.equals("ipset")).remove("iptables", false, true))
                .isEqualTo(1);
        assertThat(r.calls)
                .containsExactly("ipset list -n", "ipset restore", "ipset destroy cali6-a", "ipset destroy cali6-b");
    }
}
