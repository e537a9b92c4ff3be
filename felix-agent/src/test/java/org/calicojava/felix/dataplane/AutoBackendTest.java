package org.calicojava.felix.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.process.CommandRunner;
import org.junit.jupiter.api.Test;

/** DataplaneBackend=auto against pictures of a host (a fake runner answering the commands it runs). */
class AutoBackendTest {
    static final String NO_CHAINS = "{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\"}}]}";
    static final String DOCKER_FORWARD = """
            -P FORWARD DROP
            -A FORWARD -j DOCKER-USER
            -A FORWARD -j DOCKER-ISOLATION-STAGE-1
            -A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A FORWARD -o docker0 -j DOCKER
            """;

    /** Answers by the command's words; anything not given fails as a missing command would. */
    static final class Host implements CommandRunner {
        final Map<String, Result> answers = new HashMap<>();
        final List<String> ran = new ArrayList<>();

        Host() {
            ok("nft -c add table inet calico", "");
            ok("nft -j list chains", NO_CHAINS);
            ok("cat /proc/net/ip_tables_names", "");
            ok("cat /proc/net/ip6_tables_names", "");
        }

        Host ok(String cmd, String out) {
            answers.put(cmd, new Result(0, out, ""));
            return this;
        }

        @Override
        public Result run(List<String> argv, String stdin, java.time.Duration timeout) {
            String cmd = String.join(" ", argv);
            ran.add(cmd);
            return answers.getOrDefault(cmd, new Result(1, "", cmd + ": not answered"));
        }
    }

    static AutoBackend.Choice choose(Host h, String... processes) {
        return new AutoBackend(h, () -> List.of(processes)).choose();
    }

    @Test
    void cleanHostGetsNftablesWithoutCreatingALegacyTable() {
        Host h = new Host();
        assertThat(choose(h, "/usr/sbin/sshd -D").backend()).isEqualTo("nftables");
        assertThat(h.ran).noneMatch(c -> c.startsWith("iptables-legacy"));
    }

    @Test
    void nftNotUsableGivesIptables() {
        Host h = new Host();
        h.answers.remove("nft -c add table inet calico");
        AutoBackend.Choice c = choose(h);
        assertThat(c.backend()).isEqualTo("iptables");
        assertThat(c.why()).contains("nft is not usable");
    }

    @Test
    void dockersIptablesNftForwardGivesIptablesAndSaysWhy() {
        Host h = new Host()
                .ok(
                        "nft -j list chains",
                        "{\"nftables\": [{\"chain\": {\"family\": \"ip\", \"table\": \"filter\", \"name\": \"FORWARD\","
                                + " \"handle\": 1, \"type\": \"filter\", \"hook\": \"forward\", \"prio\": 0,"
                                + " \"policy\": \"drop\"}}]}")
                .ok("iptables-nft -w 5 -S FORWARD", DOCKER_FORWARD);
        AutoBackend.Choice c = choose(h);
        assertThat(c.backend()).isEqualTo("iptables");
        assertThat(c.why())
                .contains("iptables-nft FORWARD: policy DROP and 4 rules of others")
                .contains("DOCKER-USER, DOCKER-ISOLATION-STAGE-1, ACCEPT, DOCKER");
    }

    @Test
    void ourOwnIptablesHookIsNotAnotherFirewall() {
        Host h = new Host()
                .ok(
                        "nft -j list chains",
                        "{\"nftables\": [{\"chain\": {\"family\": \"ip\", \"table\": \"filter\", \"name\": \"FORWARD\","
                                + " \"hook\": \"forward\", \"policy\": \"accept\"}}, {\"chain\": {\"family\": \"inet\","
                                + " \"table\": \"calico\", \"name\": \"filter-FORWARD\", \"hook\": \"forward\","
                                + " \"policy\": \"accept\"}}]}")
                .ok(
                        "iptables-nft -w 5 -S FORWARD",
                        "-P FORWARD ACCEPT\n-A FORWARD -m comment --comment \"cali:wUHhoiAYhphO9Mso\" -j cali-FORWARD\n");
        assertThat(choose(h).backend()).isEqualTo("nftables");
    }

    @Test
    void legacyPolicyDropIsReadOnlyWhenALegacyFilterTableExists() {
        Host h = new Host()
                .ok("cat /proc/net/ip6_tables_names", "mangle\nfilter\n")
                .ok("ip6tables-legacy -w 5 -S FORWARD", "-P FORWARD DROP\n");
        AutoBackend.Choice c = choose(h);
        assertThat(c.backend()).isEqualTo("iptables");
        assertThat(c.why()).startsWith("ip6tables-legacy FORWARD: policy DROP");
        assertThat(h.ran).doesNotContain("iptables-legacy -w 5 -S FORWARD");
    }

    @Test
    void anotherNftablesForwardChainWithRulesOrDropPolicyGivesIptables() {
        String chains = "{\"nftables\": [{\"chain\": {\"family\": \"inet\", \"table\": \"fw\", \"name\": \"fwd\","
                + " \"hook\": \"forward\", \"policy\": \"%s\"}}]}";
        Host drop = new Host().ok("nft -j list chains", chains.formatted("drop"));
        assertThat(choose(drop).why()).contains("\"inet fw fwd\" at the forward hook has policy drop");
        Host rules = new Host()
                .ok("nft -j list chains", chains.formatted("accept"))
                .ok("nft -j list chain inet fw fwd", "{\"nftables\": [{\"chain\": {}}, {\"rule\": {}}]}");
        assertThat(choose(rules).why()).contains("at the forward hook has rules");
        Host empty = new Host()
                .ok("nft -j list chains", chains.formatted("accept"))
                .ok("nft -j list chain inet fw fwd", "{\"nftables\": [{\"chain\": {}}]}");
        assertThat(choose(empty).backend()).isEqualTo("nftables");
        Host garbage = new Host().ok("nft -j list chains", "not json");
        assertThat(choose(garbage).backend()).isEqualTo("iptables");
    }

    @Test
    void anIptablesNftForwardChainIptablesCannotShowGivesNftables() {
        Host h = new Host()
                .ok(
                        "nft -j list chains",
                        "{\"nftables\": [{\"chain\": {\"family\": \"ip\", \"table\": \"filter\", \"name\": \"FORWARD\","
                                + " \"hook\": \"forward\", \"policy\": \"accept\"}}]}");
        h.answers.put(
                "iptables-nft -w 5 -S FORWARD",
                new CommandRunner.Result(
                        1,
                        "",
                        "iptables v1.8.9 (nf_tables): chain `FORWARD' in table `filter' is incompatible, use 'nft'"
                                + " tool.\n"));
        AutoBackend.Choice c = choose(h);
        assertThat(c.backend())
                .as("the iptables backend would leave that table unpoliced")
                .isEqualTo("nftables");
        assertThat(c.why()).startsWith("iptables-nft FORWARD holds rules written with nft that iptables cannot show");
    }

    @Test
    void firewalldGivesIptables() {
        AutoBackend.Choice c = choose(new Host(), "/usr/bin/python3 -s /usr/sbin/firewalld --nofork --nopid");
        assertThat(c.backend()).isEqualTo("iptables");
        assertThat(c.why()).startsWith("firewalld is running");
    }

    @Test
    void forwardRulesParse() {
        ForwardRules f = ForwardRules.parse(DOCKER_FORWARD);
        assertThat(f.policyDrop()).isTrue();
        assertThat(f.docker()).isTrue();
        assertThat(f.foreignRules()).isEqualTo(4);
        ForwardRules clean = ForwardRules.parse("-P FORWARD ACCEPT\n-A FORWARD -j cali-FORWARD\n");
        assertThat(clean.overrides()).isFalse();
        assertThat(clean.describe()).isEmpty();
        assertThat(ForwardRules.parse("garbage\n\u0000-P FORWARD").overrides()).isFalse();
    }
}
