package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code javactl policy explain} over resources in the real etcd: felix's calculation for both ends. */
class PolicyExplainIT {
    private final Cli cli = new Cli();

    @TempDir
    Path dir;

    static final String RESOURCES = """
            apiVersion: projectcalico.org/v3
            kind: Profile
            metadata: {name: client}
            spec:
              labelsToApply: {role: client}
              ingress: [{action: Allow}]
              egress: [{action: Allow}]
            ---
            apiVersion: projectcalico.org/v3
            kind: Profile
            metadata: {name: other}
            spec:
              labelsToApply: {role: other}
              ingress: [{action: Allow}]
              egress:
              - action: Deny
                protocol: UDP
              - action: Allow
            ---
            apiVersion: projectcalico.org/v3
            kind: Profile
            metadata: {name: web}
            spec:
              labelsToApply: {role: web}
              ingress: [{action: Allow, source: {tag: web}}]
              egress: [{action: Allow}]
            ---
            apiVersion: projectcalico.org/v3
            kind: Tier
            metadata: {name: security}
            spec: {order: 10}
            ---
            apiVersion: projectcalico.org/v3
            kind: Policy
            metadata: {name: web-in}
            spec:
              tier: security
              order: 1
              selector: role == 'web'
              ingress:
              - action: Allow
                protocol: TCP
                source: {selector: role == 'client'}
                destination: {ports: [80]}
              - action: Pass
                protocol: ICMP
            """;

    static void endpoint(Cli cli, String host, String workload, String iface, String profile, String ip) {
        cli.etcd.put(
                cli.keys.endpoint(host, "docker", workload, "eth0"),
                "{\"state\":\"active\",\"name\":\"" + iface
                        + "\",\"mac\":\"ee:ee:ee:ee:ee:ee\",\"profile_ids\":[\"" + profile + "\"],\"ipv4_nets\":[\""
                        + ip
                        + "/32\"],\"ipv6_nets\":[],\"labels\":{}}");
    }

    @BeforeEach
    void setUp() throws IOException {
        Path f = dir.resolve("r.yaml");
        Files.writeString(f, RESOURCES);
        cli.ok("apply", "-f", f.toString());
        endpoint(cli, "h1", "client", "cali11111111111", "client", "10.67.0.2");
        endpoint(cli, "h1", "other", "cali22222222222", "other", "10.67.0.3");
        endpoint(cli, "h2", "web", "cali33333333333", "web", "10.67.1.2");
    }

    @AfterEach
    void close() {
        cli.close();
    }

    @Test
    void aPolicyAllowsTheClient() {
        assertThat(cli.ok("policy", "explain", "--from", "client", "--to", "web", "--proto", "tcp", "--port", "80"))
                .isEqualTo("""
                        Flow: tcp 10.67.0.2:40000 -> 10.67.1.2:80
                          from client 10.67.0.2 (endpoint h1/docker/client/eth0, interface cali11111111111)
                          to   web 10.67.1.2 (endpoint h2/docker/web/eth0, interface cali33333333333)
                        Egress at host h1, from client (chain cali-fw-cali11111111111):
                          (no policy of any tier selects this endpoint: its profiles decide)
                          profile client: outbound rule 1 matched: allow => allow
                          => allowed at egress
                        Ingress at host h2, to web (chain cali-tw-cali33333333333):
                          tier security:
                            policy security/web-in: inbound rule 1 matched: allow tcp from selector "role == 'client'" to ports 80 => allow
                          => allowed at ingress
                        Verdict: allowed
                        """);
    }

    @Test
    void theEndOfATierDropsAndPassHandsOverToTheProfile() {
        assertThat(cli.ok("policy", "explain", "--from", "10.67.0.3", "--to", "web", "--proto", "tcp", "--port", "80"))
                .contains("    policy security/web-in: no inbound rule matched (2 rules)\n"
                        + "    no policy of the tier allowed or passed the packet: drop (end of tier)\n"
                        + "  => denied at ingress\nVerdict: denied\n");
        assertThat(cli.ok("policy", "explain", "--from", "client", "--to", "10.67.1.2"))
                .contains("Flow: icmp type 8 code 0 10.67.0.2 -> 10.67.1.2\n")
                .contains(
                        "    policy security/web-in: inbound rule 2 matched: next-tier icmp => pass to the next tier\n"
                                + "  profile web: no inbound rule matched (1 rules)\n"
                                + "  no profile allowed the packet: drop\n  => denied at ingress\nVerdict: denied\n");
        // an outside address: only the workload's end is evaluated; the egress deny decides before ingress
        assertThat(cli.ok("policy", "explain", "--from", "other", "--to", "1.1.1.1", "--proto", "udp", "--port", "53"))
                .contains("to   1.1.1.1 (no workload: outside the network)")
                .contains("  profile other: outbound rule 1 matched: deny udp => deny (drop)\n  => denied at egress\n")
                .endsWith("Verdict: denied\n");
        assertThat(cli.ok("policy", "explain", "--from", "other", "--to", "web", "--proto", "udp", "--port", "53"))
                .contains("Ingress at h2: not reached (dropped at egress)");
    }

    @Test
    void badEndsAreRefused() {
        assertThat(cli.run("policy", "explain", "--from", "nosuch", "--to", "web")
                        .err())
                .isEqualTo("Error: --from: no workload or address nosuch (see: javactl get workloadendpoint)\n");
        assertThat(cli.run("policy", "explain", "--from", "8.8.8.8", "--to", "1.1.1.1")
                        .err())
                .isEqualTo("Error: neither --from 8.8.8.8 nor --to 1.1.1.1 is a workload: no policy applies\n");
        assertThat(cli.run("policy", "explain", "--from", "client", "--to", "web", "--proto", "tcp")
                        .err())
                .isEqualTo("Error: --port: needed with --proto tcp\n");
    }
}
