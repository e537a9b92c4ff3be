package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.calicojava.felix.agent.Agent;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code javactl policy explain --verify} against a real felix on the nftables backend (the default where no other
 * firewall is in the way), in a namespace standing for web's host h2: every rule on the ingress path is found in
 * {@code table inet calico} (the dispatch map's element, the policy's family chain, the endpoint's shared body), and
 * a rule, the endpoint chain's goto and the map element, each deleted by hand from the live table, make it exit 1
 * naming what is missing.
 */
class PolicyExplainVerifyIT {
    private final Cli cli = new Cli();
    private final String ns = "cj-pev-" + UUID.randomUUID().toString().substring(0, 6);
    private Agent agent;

    @TempDir
    Path dir;

    @BeforeEach
    void setUp() throws IOException {
        Sh.require("ip", "nft");
        Path f = dir.resolve("r.yaml");
        Files.writeString(f, PolicyExplainIT.RESOURCES);
        cli.ok("apply", "-f", f.toString());
        PolicyExplainIT.endpoint(cli, "h1", "client", "cali11111111111", "client", "10.67.0.2");
        PolicyExplainIT.endpoint(cli, "h2", "web", "cali33333333333", "web", "10.67.1.2");
        Sh.ok("ip", "netns", "add", ns);
        Sh.ok(Sh.in(ns, "ip", "link", "add", "cali33333333333", "type", "veth", "peer", "name", "wl0"));
        Sh.ok(Sh.in(ns, "ip", "link", "set", "cali33333333333", "up"));
        cli.etcd.get("/warm-up"); // the store's threads start here, outside the namespace
        agent = new Agent(
                cli.etcd,
                cli.keys,
                "h2",
                Map.of(
                        "FELIX_DATAPLANEBACKEND", "nftables",
                        "FELIX_HEALTHPORT", "0",
                        "FELIX_PROMETHEUSMETRICSPORT", "0",
                        "FELIX_REPORTINGINTERVALSECS", "0"),
                Namespace.named(ns));
        agent.start();
        assertThat(Sh.waitFor(60, agent::ready)).as("felix ready").isNotNegative();
    }

    @AfterEach
    void tearDown() {
        try {
            if (agent != null) {
                agent.close();
            }
        } finally {
            Sh.run("ip", "netns", "del", ns);
            cli.close();
        }
    }

    private Cli.Result verify() {
        return cli.run(
                "policy",
                "explain",
                "--from",
                "client",
                "--to",
                "web",
                "--proto",
                "tcp",
                "--port",
                "80",
                "--verify",
                "--hostname",
                "h2",
                "--host-netns",
                ns);
    }

    @Test
    void everyRuleOnThePathIsInTheLiveTableUntilOneIsDeletedByHand() {
        Cli.Result ok = verify();
        assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out())
                .contains("live: not checked (this is host h2; run with --verify on h1)")
                .contains("live (nft list table inet calico):")
                .contains("cali-to-wl-map \"cali33333333333\" : goto cali-tw-cali33333333333: programmed")
                .doesNotContain("MISSING")
                .endsWith("Verdict: allowed\n");
        // the endpoint chain's rules are found in its shared body, each where felix wrote it
        Matcher body = Pattern.compile(
                        "cali-tw-cali33333333333 #(\\d+) \\([^)]*\\): programmed \\(in (cali-tw/\\S+) #\\1\\)")
                .matcher(ok.out());
        assertThat(body.find()).as(ok.out()).isTrue();
        assertThat(Sh.ok(Sh.in(ns, "nft", "list", "chain", "inet", "calico", "cali-tw-cali33333333333")))
                .contains("goto " + body.group(2));
        Matcher policy = Pattern.compile("(cali-pi-\\S+) #1 \\([^)]*\\): programmed(?: \\(in (\\S+) #1\\))?")
                .matcher(ok.out());
        assertThat(policy.find()).as(ok.out()).isTrue();
        String policyChain = policy.group(2);
        assertThat(policyChain)
                .as("its IPv4 and IPv6 renderings differ (the selector's sets)")
                .endsWith("/4");

        // felix stopped (it would repair what follows), the table left as it was: the rule that allowed the packet
        // (the policy's first) deleted by hand; verify names it and exits 1
        agent.close();
        agent = null;
        deleteFirstRule(policyChain);
        Cli.Result bad = verify();
        assertThat(bad.code()).as(bad.out()).isEqualTo(1);
        assertThat(bad.out())
                .containsPattern(Pattern.quote(policy.group(1)) + " #1 \\([^)]*\\): MISSING from the dataplane");
        assertThat(bad.err()).contains("the live dataplane differs from felix's calculation");
        // the way into the body deleted (the endpoint chain's one rule): its rules are not reached, so missing too
        deleteFirstRule("cali-tw-cali33333333333");
        Cli.Result noWayIn = verify();
        assertThat(noWayIn.code()).as(noWayIn.out()).isEqualTo(1);
        assertThat(noWayIn.out())
                .contains("MISSING from the dataplane: the goto from cali-tw-cali33333333333 to " + body.group(2));
        // and the interface's element of the dispatch map
        Sh.ok(Sh.in(ns, "nft", "delete", "element", "inet", "calico", "cali-to-wl-map", "{", "cali33333333333", "}"));
        assertThat(verify().out())
                .contains("cali-to-wl-map \"cali33333333333\" : goto cali-tw-cali33333333333: MISSING");
    }

    private void deleteFirstRule(String chain) {
        String listed = Sh.ok(Sh.in(ns, "nft", "-a", "list", "chain", "inet", "calico", chain));
        Matcher handle =
                Pattern.compile("comment \"cali:[^\"]*\" # handle (\\d+)").matcher(listed);
        assertThat(handle.find()).as(listed).isTrue();
        Sh.ok(Sh.in(ns, "nft", "delete", "rule", "inet", "calico", chain, "handle", handle.group(1)));
    }
}
