package org.calicojava.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Resources written with {@code javactl apply -f} are what felix enforces, with real packets across two hosts:
 * profiles (with labels) let every workload reach {@code web}; a tiered Policy applied from YAML then lets only
 * {@code role == 'client'} in (the other workload's pings are dropped at the end of the tier); the policy changed to
 * Deny refuses the client too; Pass hands the decision back to the profiles; {@code delete -f} removes it all. At each
 * step {@code javactl policy explain} (felix's calculation from etcd) gives the verdict the real pings got.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PolicyApplyIT {
    private Fabric f;
    private String web;
    private String client;
    private String other;
    private Path dir;

    static String profile(String name) {
        return """
                apiVersion: projectcalico.org/v3
                kind: Profile
                metadata:
                  name: %s
                spec:
                  labelsToApply:
                    role: %s
                  ingress:
                  - action: Allow
                  egress:
                  - action: Allow
                """.formatted(name, name);
    }

    static final String TIER_AND_POLICY = """
            apiVersion: projectcalico.org/v3
            kind: Tier
            metadata:
              name: security
            spec:
              order: 10
            ---
            apiVersion: projectcalico.org/v3
            kind: Policy
            metadata:
              name: web-in
            spec:
              tier: security
              order: 1
              selector: role == 'web'
              ingress:
              - action: %s
                protocol: ICMP
                source:
                  selector: role == 'client'
            """;

    Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @BeforeAll
    void up() throws IOException {
        dir = Files.createTempDirectory("policy-apply-it");
        f = new Fabric(2, "--dataplane", "iptables"); // --verify reads iptables' packet counters
        String out = f.javactlOk(
                "apply",
                "-f",
                file("base.yaml", """
                apiVersion: projectcalico.org/v3
                kind: IPPool
                metadata: {}
                spec:
                  cidr: 10.66.0.0/16
                ---
                """ + profile("client") + "---\n" + profile("other") + "---\n" + profile("web"))
                        .toString());
        assertThat(out).contains("Created IPPool 10.66.0.0-16").contains("Created Profile web");
        web = f.addWorkload(2, "web", "web");
        client = f.addWorkload(1, "client", "client");
        other = f.addWorkload(1, "other", "other");
        f.awaitSessions(1, Duration.ofMinutes(3));
    }

    @AfterAll
    void down() throws IOException {
        if (f != null) {
            f.close();
        }
        if (dir != null) {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    /**
     * {@code policy explain} (felix's calculation from etcd, no dataplane) gives the verdict that real pings just before
     * and just after it got.
     */
    void explainAgreesWithPing(String name, String from, boolean expected) {
        assertThat(f.ping(1, name, web)).as(name + " ping").isEqualTo(expected);
        String out = f.javactlOk("policy", "explain", "--from", from, "--to", web);
        assertThat(out).as(out).endsWith("Verdict: " + (expected ? "allowed" : "denied") + "\n");
        assertThat(f.ping(1, name, web)).as(name + " ping after explain").isEqualTo(expected);
    }

    @Test
    @Order(1)
    void theAppliedProfilesLetEveryWorkloadReachWeb() {
        Fabric.eventually(Duration.ofSeconds(90), "client reaches web " + web, () -> f.ping(1, "client", web));
        Fabric.eventually(Duration.ofSeconds(30), "other reaches web " + web, () -> f.ping(1, "other", web));
        explainAgreesWithPing("client", client, true);
        explainAgreesWithPing("other", other, true);
    }

    @Test
    @Order(2)
    void anAppliedPolicyLetsOnlyTheClientIn() throws IOException {
        String out = f.javactlOk(
                "apply",
                "-f",
                file("allow.yaml", TIER_AND_POLICY.formatted("Allow")).toString());
        assertThat(out).contains("Created Tier security").contains("Created Policy security/web-in");
        Fabric.eventually(Duration.ofSeconds(60), "other is refused by the policy", () -> !f.ping(1, "other", web));
        assertThat(f.ping(1, "client", web)).as("client allowed by the policy").isTrue();
        for (int i = 0; i < 3; i++) {
            assertThat(f.ping(1, "other", web)).as("other stays refused").isFalse();
        }
        assertThat(f.onHost(2, "iptables-save", "-t", "filter").out()).contains("security");
        explainAgreesWithPing("client", client, true);
        explainAgreesWithPing("other", other, false);
        assertThat(f.javactlOk("policy", "explain", "--from", other, "--to", web))
                .contains("no policy of the tier allowed or passed the packet: drop (end of tier)");
        // --verify on web's host: the rules on the path are in its live dataplane, and the drop that decided has
        // counted the refused pings (at least the 2 of explainAgreesWithPing)
        Fabric.Result v = f.onHost(
                2,
                Fabric.HOME.resolve("bin/javactl").toString(),
                "--etcd-endpoints",
                f.etcd(),
                "policy",
                "explain",
                "--from",
                other,
                "--to",
                web,
                "--verify",
                "--hostname",
                "h2");
        assertThat(v.ok()).as(v.out()).isTrue();
        assertThat(v.out()).contains("live (").doesNotContain("MISSING");
        var drop = java.util.regex.Pattern.compile("\\(drop if no policy in tier passed\\): (\\d+) packets")
                .matcher(v.out());
        assertThat(drop.find()).as(v.out()).isTrue();
        assertThat(Long.parseLong(drop.group(1))).isGreaterThanOrEqualTo(2);
        Fabric.Result elsewhere = f.onHost(
                1,
                Fabric.HOME.resolve("bin/javactl").toString(),
                "--etcd-endpoints",
                f.etcd(),
                "policy",
                "explain",
                "--from",
                other,
                "--to",
                web,
                "--verify",
                "--hostname",
                "h1");
        assertThat(elsewhere.out()).contains("live: not checked (this is host h1; run with --verify on h2)");
    }

    @Test
    @Order(3)
    void passHandsTheDecisionBackToTheProfilesAndDeleteRemovesThePolicy() throws IOException {
        f.javactlOk(
                "apply",
                "-f",
                file("pass.yaml", TIER_AND_POLICY.formatted("Deny")).toString());
        Fabric.eventually(
                Duration.ofSeconds(60), "client is denied once the rule says Deny", () -> !f.ping(1, "client", web));
        explainAgreesWithPing("client", client, false);
        Path pass = file(
                "pass2.yaml",
                TIER_AND_POLICY
                        .formatted("Pass")
                        .replace("    protocol: ICMP\n" + "    source:\n      selector: role == 'client'\n", ""));
        assertThat(f.javactlOk("apply", "-f", pass.toString()))
                .contains("Unchanged Tier security")
                .contains("Updated Policy security/web-in");
        Fabric.eventually(
                Duration.ofSeconds(60),
                "client reaches web through the profile after Pass",
                () -> f.ping(1, "client", web));
        assertThat(f.ping(1, "other", web))
                .as("other reaches web through the profile after Pass")
                .isTrue();
        explainAgreesWithPing("other", other, true);
        assertThat(f.javactlOk("policy", "explain", "--from", other, "--to", web))
                .contains("=> pass to the next tier")
                .contains("profile web: inbound rule 1 matched: allow");
        f.javactlOk(
                "apply",
                "-f",
                file("allow2.yaml", TIER_AND_POLICY.formatted("Allow")).toString());
        Fabric.eventually(Duration.ofSeconds(60), "other is refused again", () -> !f.ping(1, "other", web));
        String[] docs = TIER_AND_POLICY.formatted("Allow").split("---\n");
        String out = f.javactlOk(
                "delete", "-f", file("delete.yaml", docs[1] + "---\n" + docs[0]).toString());
        assertThat(out).isEqualTo("Deleted Policy security/web-in\nDeleted Tier security\n");
        Fabric.eventually(
                Duration.ofSeconds(60), "other reaches web once the policy is deleted", () -> f.ping(1, "other", web));
    }
}
