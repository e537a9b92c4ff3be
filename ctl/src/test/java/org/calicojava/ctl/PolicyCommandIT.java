package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code javactl policy add|remove|show} and {@code policy NAME rule ...} against the real etcd. */
class PolicyCommandIT {
    private final Cli cli = new Cli();

    @AfterEach
    void close() {
        cli.close();
    }

    @Test
    void addRulesShowAndRemove() {
        assertThat(cli.ok("policy", "add", "db-in", "--order", "5", "--selector", "role == 'db'"))
                .isEqualTo("Created policy default/db-in\n");
        assertThat(cli.get(cli.keys.policy("default", "db-in")))
                .isEqualTo("{\"selector\":\"role == 'db'\",\"order\":5.0,\"inbound_rules\":[],\"outbound_rules\":[]}");
        cli.ok(
                "policy",
                "db-in",
                "rule",
                "add",
                "inbound",
                "allow",
                "tcp",
                "from",
                "selector",
                "role == 'web'",
                "to",
                "ports",
                "5432");
        cli.ok("policy", "db-in", "rule", "add", "--at=1", "inbound", "deny", "from", "cidr", "10.9.0.0/16");
        cli.ok("policy", "db-in", "rule", "add", "outbound", "next-tier");
        assertThat(cli.get(cli.keys.policy("default", "db-in")))
                .isEqualTo("{\"selector\":\"role == 'db'\",\"order\":5.0,"
                        + "\"inbound_rules\":[{\"action\":\"deny\",\"src_net\":\"10.9.0.0/16\"},{\"action\":\"allow\","
                        + "\"protocol\":\"tcp\",\"src_selector\":\"role == 'web'\",\"dst_ports\":[5432]}],"
                        + "\"outbound_rules\":[{\"action\":\"next-tier\"}]}");
        assertThat(cli.ok("policy", "db-in", "rule", "show")).isEqualTo("""
                Policy default/db-in, selector role == 'db', order 5
                Inbound rules:
                    1 deny from cidr 10.9.0.0/16
                    2 allow tcp from selector "role == 'web'" to ports 5432
                Outbound rules:
                    1 next-tier
                """);
        cli.ok("policy", "db-in", "rule", "remove", "inbound", "deny", "from", "cidr", "10.9.0.0/16");
        cli.ok("policy", "db-in", "rule", "remove", "outbound", "--at=1");
        assertThat(cli.ok("policy", "db-in", "rule", "show"))
                .contains("    1 allow tcp")
                .doesNotContain("next-tier");

        cli.etcd.put(cli.keys.tierMetadata("security"), "{\"order\":1}");
        cli.ok("policy", "add", "web-in", "--tier", "security", "--selector", "role == 'web'");
        cli.ok("policy", "add", "all", "--order", "1");
        // felix's order: tier order, then the policy order within the tier
        assertThat(cli.ok("policy", "show")
                        .lines()
                        .filter(l -> l.startsWith("| "))
                        .skip(1)
                        .map(l -> l.split("\\|")[2].trim())
                        .toList())
                .isEqualTo(List.of("web-in", "all", "db-in"));
        assertThat(cli.ok("policy", "show", "--tier", "security", "-o", "json"))
                .contains("\"name\" : \"web-in\"")
                .doesNotContain("db-in");
        cli.ok("policy", "web-in", "--tier", "security", "rule", "add", "inbound", "allow", "icmp");
        assertThat(cli.get(cli.keys.policy("security", "web-in"))).contains("\"protocol\":\"icmp\"");

        assertThat(cli.ok("policy", "remove", "web-in", "--tier", "security"))
                .isEqualTo("Removed policy security/web-in\n");
        assertThat(cli.get(cli.keys.policy("security", "web-in"))).isNull();
    }

    @Test
    void refusalsWriteNothing() {
        cli.ok("policy", "add", "p");
        List<String> before = cli.snapshot();
        record Case(List<String> args, String error) {}
        for (Case c : List.of(
                new Case(List.of("policy", "add", "p"), "Error: policy default/p already exists\n"),
                new Case(
                        List.of("policy", "add", "q", "--tier", "nosuch"),
                        "Error: tier nosuch does not exist (create it: javactl apply -f with kind Tier)\n"),
                new Case(
                        List.of("policy", "add", "q", "--selector", "a =="),
                        "Error: selector \"a ==\": expected a quoted string at position 4\n"),
                new Case(
                        List.of("policy", "add", "bad/name"),
                        "Error: policy name: \"bad/name\" (expected: 1-253 of letters, digits, '_', '.', '-')\n"),
                new Case(
                        List.of("policy", "q", "rule", "add", "inbound", "allow"),
                        "Error: policy default/q does not exist (add it: javactl policy add q)\n"),
                new Case(
                        List.of("policy", "p", "rule", "add", "inbound", "allow", "to", "ports", "80"),
                        "Error: rule ports: need protocol tcp, udp, sctp or udplite (protocol is not set)\n"),
                new Case(
                        List.of("policy", "p", "rule", "remove", "inbound", "--at=1"),
                        "Error: --at=1 (expected: 1..0)\n"),
                new Case(List.of("policy", "remove", "q"), "Error: policy default/q does not exist\n"))) {
            Cli.Result r = cli.run(c.args().toArray(new String[0]));
            assertThat(r.code()).as(c.args().toString()).isEqualTo(1);
            assertThat(r.err()).as(c.args().toString()).isEqualTo(c.error());
            assertThat(cli.snapshot()).as(c.args().toString()).isEqualTo(before);
        }
    }
}
