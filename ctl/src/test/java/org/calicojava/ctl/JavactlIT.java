package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.calicojava.model.Cidr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every javactl command end to end against the real etcd, checking etcd afterwards. */
class JavactlIT {
    private final Cli cli = new Cli();

    @AfterEach
    void close() {
        cli.close();
    }

    @Test
    void pools() {
        assertThat(cli.ok("pool", "add", "10.1.0.0/16", "10.2.0.0/16", "--nat-outgoing", "--block-size", "28"))
                .contains("Added pool 10.1.0.0/16")
                .contains("Added pool 10.2.0.0/16");
        cli.ok("pool", "add", "fd00:1::/64", "--disabled");
        assertThat(cli.get(cli.keys.pool(Cidr.parse("10.1.0.0/16"))))
                .isEqualTo(
                        "{\"cidr\":\"10.1.0.0/16\",\"ipip\":false,\"ipip_mode\":\"never\",\"vxlan_mode\":\"never\",\"masquerade\":true,\"disabled\":false,\"block_size\":28}");
        String table = cli.ok("pool", "show");
        assertThat(table)
                .contains("| 10.1.0.0/16 | nat-outgoing | 28         |")
                .contains("fd00:1::/64");
        assertThat(cli.ok("pool", "show", "--ipv6")).contains("fd00:1::/64").doesNotContain("10.1.0.0");
        assertThat(cli.ok("pool", "show", "--ipv4", "-o", "json")).contains("\"cidr\" : \"10.1.0.0/16\"");
        assertThat(cli.ok("pool", "show", "-o", "yaml")).contains("cidr: \"10.2.0.0/16\"");
        cli.ok("ipam", "assign", "--ip", "10.2.0.9", "--host", "h1", "--handle", "c1");
        Cli.Result busy = cli.run("pool", "remove", "10.2.0.0/16");
        assertThat(busy.code()).isEqualTo(1);
        assertThat(busy.err())
                .isEqualTo("Error: pool 10.2.0.0/16 has 1 assigned address; release them first (javactl ipam show)\n");
        cli.ok("ipam", "release", "--ip", "10.2.0.9");
        assertThat(cli.ok("pool", "remove", "10.2.0.0/16")).contains("Removed pool 10.2.0.0/16");
        assertThat(cli.get(cli.keys.pool(Cidr.parse("10.2.0.0/16")))).isNull();
        assertThat(cli.etcd.list(cli.keys.ipamBlocks(4)).kvs()).isEmpty();
    }

    @Test
    void poolEncapsulation() {
        cli.ok("pool", "add", "10.3.0.0/16", "--ipip");
        cli.ok("pool", "add", "10.4.0.0/16", "--ipip", "cross-subnet");
        cli.ok("pool", "add", "10.5.0.0/16", "--vxlan=cross-subnet");
        cli.ok("pool", "add", "fd00:5::/64", "--vxlan");
        assertThat(cli.get(cli.keys.pool(Cidr.parse("10.4.0.0/16"))))
                .contains("\"ipip\":true,\"ipip_mode\":\"cross-subnet\"");
        assertThat(cli.get(cli.keys.pool(Cidr.parse("fd00:5::/64")))).contains("\"vxlan_mode\":\"always\"");
        assertThat(cli.ok("pool", "show"))
                .contains("| 10.3.0.0/16 | ipip ")
                .contains("| 10.4.0.0/16 | ipip:cross-subnet ")
                .contains("| 10.5.0.0/16 | vxlan:cross-subnet ")
                .contains("| fd00:5::/64 | vxlan ");
        List<String> before = cli.snapshot();
        for (List<String> bad : List.of(
                List.of("10.6.0.0/16", "--ipip", "--vxlan"),
                List.of("fd00:6::/64", "--ipip"),
                List.of("10.6.0.0/16", "--vxlan=sometimes"),
                List.of("10.6.0.0/16", "--ipip=never"))) {
            List<String> args = new java.util.ArrayList<>(List.of("pool", "add"));
            args.addAll(bad);
            Cli.Result r = cli.run(args.toArray(String[]::new));
            assertThat(r.code()).as(String.join(" ", bad)).isEqualTo(1);
            assertThat(r.err()).startsWith("Error: ").hasLineCount(1);
        }
        assertThat(cli.run("pool", "add", "10.6.0.0/16", "--ipip", "--vxlan").err())
                .isEqualTo("Error: --ipip and --vxlan are exclusive (expected: one encapsulation per pool)\n");
        assertThat(cli.run("pool", "add", "fd00:6::/64", "--ipip").err()).contains("IPIP is only for IPv4 pools");
        assertThat(cli.snapshot()).isEqualTo(before);
    }

    @Test
    void profilesTagsAndRules() {
        cli.ok("profile", "add", "web");
        assertThat(cli.get(cli.keys.profileTags("web"))).isEqualTo("[\"web\"]");
        assertThat(cli.get(cli.keys.profileRules("web")))
                .isEqualTo(
                        "{\"inbound_rules\":[{\"action\":\"allow\",\"src_tag\":\"web\"}],\"outbound_rules\":[{\"action\":\"allow\"}]}");
        cli.ok("profile", "web", "tag", "add", "frontend");
        assertThat(cli.ok("profile", "web", "tag", "show")).contains("| web ").contains("| frontend ");
        cli.ok("profile", "web", "tag", "remove", "frontend");
        assertThat(cli.get(cli.keys.profileTags("web"))).isEqualTo("[\"web\"]");
        cli.ok(
                "profile",
                "web",
                "rule",
                "add",
                "inbound",
                "allow",
                "tcp",
                "from",
                "cidr",
                "10.0.0.0/8",
                "to",
                "ports",
                "80,443");
        cli.ok(
                "profile", "web", "rule", "add", "--at=1", "inbound", "deny", "icmp", "type", "8", "from", "!", "tag",
                "web");
        cli.ok("profile", "web", "rule", "add", "outbound", "log", "udp", "to", "!ports", "53");
        assertThat(cli.ok("profile", "web", "rule", "show")).isEqualTo("""
                Inbound rules:
                    1 deny icmp type 8 from !tag web
                    2 allow from tag web
                    3 allow tcp from cidr 10.0.0.0/8 to ports 80,443
                Outbound rules:
                    1 allow
                    2 log udp to !ports 53
                """);
        assertThat(cli.get(cli.keys.profileRules("web")))
                .contains(
                        "{\"action\":\"deny\",\"protocol\":\"icmp\",\"icmp_type\":8,\"!src_tag\":\"web\"}",
                        "{\"action\":\"allow\",\"protocol\":\"tcp\",\"src_net\":\"10.0.0.0/8\",\"dst_ports\":[80,443]}");
        cli.ok("profile", "web", "rule", "remove", "inbound", "--at=1");
        cli.ok("profile", "web", "rule", "remove", "outbound", "log", "udp", "to", "!ports", "53");
        assertThat(cli.ok("profile", "web", "rule", "show"))
                .doesNotContain("deny")
                .doesNotContain("log");
        String json = cli.ok("profile", "web", "rule", "json");
        assertThat(json).contains("\"inbound_rules\"");
        cli.ok("profile", "add", "db");
        assertThat(cli.ok("profile", "show")).contains("| db ").contains("| web ");
        assertThat(cli.ok("profile", "show", "--detailed")).contains("Inbound rules");
        cli.ok("profile", "remove", "db");
        assertThat(cli.etcd.list(cli.keys.profile("db") + "/").kvs()).isEmpty();
    }

    @Test
    void ruleUpdateReadsJsonFromStdin() {
        cli.ok("profile", "add", "p");
        java.io.InputStream saved = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream(
                    "{\"inbound_rules\":[{\"action\":\"deny\"}],\"outbound_rules\":[]}".getBytes()));
            cli.ok("profile", "p", "rule", "update");
            assertThat(cli.get(cli.keys.profileRules("p")))
                    .isEqualTo("{\"inbound_rules\":[{\"action\":\"deny\"}],\"outbound_rules\":[]}");
            System.setIn(new java.io.ByteArrayInputStream("{\"inbound_rules\":[{\"action\":\"maybe\"}]}".getBytes()));
            List<String> before = cli.snapshot();
            Cli.Result bad = cli.run("profile", "p", "rule", "update");
            assertThat(bad.code()).isEqualTo(1);
            assertThat(bad.err())
                    .isEqualTo("Error: rule action: \"maybe\" (expected: allow, deny, log or next-tier)\n");
            assertThat(cli.snapshot()).isEqualTo(before);
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void nodesAndBgp() {
        cli.ok("node", "add", "--name", "h1", "--ip", "192.0.2.1", "--ip6", "2001:db8::1", "--as", "1.10");
        cli.ok("node", "add", "--name", "h2", "--ip", "192.0.2.2");
        assertThat(cli.get(cli.keys.bgpHostIp("h1", 4))).isEqualTo("192.0.2.1");
        assertThat(cli.get(cli.keys.bgpHostIp("h1", 6))).isEqualTo("2001:db8::1");
        assertThat(cli.get(cli.keys.bgpHostAsNum("h1"))).isEqualTo("65546");
        cli.ok("node", "h1", "bgp", "peer", "add", "192.0.2.100", "as", "65000");
        assertThat(cli.get(cli.keys.bgpHostPeer("h1", "192.0.2.100")))
                .isEqualTo("{\"ip\":\"192.0.2.100\",\"as_num\":\"65000\"}");
        assertThat(cli.ok("node", "h1", "bgp", "peer", "show")).contains("| 192.0.2.100  | 65000     |");
        assertThat(cli.ok("node", "show"))
                .contains("| h1       | 192.0.2.1 | 2001:db8::1 | 65546   | 192.0.2.100 as 65000")
                .contains("(64512)");
        cli.ok("node", "h1", "bgp", "peer", "remove", "192.0.2.100");
        cli.ok("node", "h1", "bgp", "rr-cluster-id", "224.0.0.1");
        assertThat(cli.get(cli.keys.bgpHostRrClusterId("h1"))).isEqualTo("224.0.0.1");
        assertThat(cli.ok("node", "h1", "bgp", "rr-cluster-id")).isEqualTo("224.0.0.1\n");
        cli.ok("node", "h1", "bgp", "rr-cluster-id", "--remove");
        assertThat(cli.get(cli.keys.bgpHostRrClusterId("h1"))).isNull();
        assertThat(cli.get(cli.keys.bgpHostPeer("h1", "192.0.2.100"))).isNull();
        assertThat(cli.ok("bgp", "default-node-as")).isEqualTo("64512\n");
        cli.ok("bgp", "default-node-as", "65001");
        assertThat(cli.get(cli.keys.bgpGlobalAsNum())).isEqualTo("65001");
        assertThat(cli.ok("bgp", "node-mesh")).isEqualTo("on\n");
        cli.ok("bgp", "node-mesh", "off");
        assertThat(cli.get(cli.keys.bgpNodeMesh())).isEqualTo("{\"enabled\":false}");
        cli.ok("bgp", "peer", "add", "2001:db8::ff", "as", "65100");
        assertThat(cli.get(cli.keys.bgpGlobalPeer("2001:db8::ff")))
                .isEqualTo("{\"ip\":\"2001:db8::ff\",\"as_num\":\"65100\"}");
        assertThat(cli.ok("bgp", "peer", "show", "-o", "json")).contains("\"peer_address\" : \"2001:db8::ff\"");
        cli.ok("bgp", "peer", "remove", "2001:db8::ff");
        assertThat(cli.get(cli.keys.bgpGlobalPeer("2001:db8::ff"))).isNull();
        // remove: releases IPAM affinities
        cli.ok("pool", "add", "10.9.0.0/24");
        cli.ok("ipam", "assign", "--host", "h2");
        assertThat(cli.etcd.list(cli.keys.ipamAffinities("h2", 4)).kvs()).hasSize(1);
        assertThat(cli.ok("node", "remove", "h2")).contains("1 IPAM block affinity released");
        assertThat(cli.etcd.list(cli.keys.bgpHost("h2") + "/").kvs()).isEmpty();
        assertThat(cli.etcd.list(cli.keys.ipamAffinities("h2", 4)).kvs()).isEmpty();
    }

    @Test
    void ipamAndEndpointsAndConfig() {
        cli.ok("pool", "add", "10.5.0.0/24");
        assertThat(cli.ok("ipam", "assign", "--host", "h1", "--handle", "ctr1")).isEqualTo("10.5.0.0\n");
        assertThat(cli.ok("ipam", "assign", "--host", "h1", "--pool", "10.5.0.0/24", "--handle", "ctr1"))
                .isEqualTo("10.5.0.1\n");
        assertThat(cli.ok("ipam", "assign", "--ip", "10.5.0.100", "--host", "h1"))
                .isEqualTo("10.5.0.100\n");
        assertThat(cli.ok("ipam", "info", "10.5.0.1"))
                .contains("| 10.5.0.1 | 10.5.0.0/24 | 10.5.0.0/26 | h1")
                .contains("| ctr1");
        assertThat(cli.ok("ipam", "show"))
                .contains("| 10.5.0.0/26  | h1   | 2        | 62   |")
                .contains("| 10.5.0.64/26 | h1   | 1        | 63   |");
        assertThat(cli.ok("ipam", "release", "--handle", "ctr1"))
                .contains("10.5.0.0")
                .contains("10.5.0.1");
        // tunnel addresses as felix records them (per-host felix config keys); a bad value shows as (invalid)
        cli.etcd.put(cli.keys.bgpHostIp("h1", 4), "192.0.2.1");
        cli.etcd.put(cli.keys.bgpHostIp("h3", 4), "192.0.2.3");
        cli.etcd.put(cli.keys.hostConfig("h1", "IpInIpTunnelAddr"), "10.5.0.1");
        cli.etcd.put(cli.keys.hostConfig("h3", "IPv4VXLANTunnelAddr"), "10.5.0.65");
        cli.etcd.put(cli.keys.hostConfig("h3", "VXLANTunnelMACAddr"), "66:aa:bb:cc:dd:ee");
        cli.etcd.put(cli.keys.hostConfig("h3", "IPv6VXLANTunnelAddr"), "10.5.0.66");
        String tunnels = cli.ok("ipam", "show", "--tunnels");
        assertThat(tunnels)
                .containsPattern("\\| h1 +\\| 10\\.5\\.0\\.1 +\\| +\\|")
                .containsPattern("\\| h3 +\\| +\\| 10\\.5\\.0\\.65 +\\| \\(invalid\\) +\\| 66:aa:bb:cc:dd:ee");
        assertThat(cli.ok("ipam", "show", "--tunnels", "--host", "h1"))
                .contains("10.5.0.1")
                .doesNotContain("h3");
        assertThat(cli.get(cli.keys.ipamHandle("ctr1"))).isNull();
        cli.etcd.put(
                cli.keys.endpoint("h1", "docker", "c1", "e1"),
                "{\"state\":\"active\",\"name\":\"cali1234abcd\","
                        + "\"mac\":\"ee:ee:ee:ee:ee:ee\",\"profile_ids\":[\"web\"],\"ipv4_nets\":[\"10.5.0.100/32\"],\"ipv6_nets\":[]}");
        cli.etcd.put(cli.keys.felixEndpointStatus("h1", "docker", "c1", "e1"), "{\"status\":\"up\"}");
        assertThat(cli.ok("endpoint", "show")).contains("| h1       | docker          | c1          | e1          |");
        assertThat(cli.ok("endpoint", "show", "--detailed", "--host", "h1"))
                .contains("10.5.0.100/32")
                .contains("| up ");
        cli.etcd.put(
                cli.keys.endpoint("h1", "cni", "c2", "eth0"),
                "{\"state\":\"active\",\"name\":\"cali5678abcd\",\"mac\":\"ee:ee:ee:ee:ee:ee\",\"profile_ids\":[],"
                        + "\"ipv4_nets\":[\"10.5.0.101/32\"],\"ipv6_nets\":[],"
                        + "\"qos\":{\"ingress_bandwidth\":10000000,\"egress_bandwidth\":1500000}}");
        assertThat(cli.ok("endpoint", "show", "--detailed", "--host", "h1"))
                .contains("in 10Mbit/s (burst 1000000 bit), out 1500kbit/s (burst 150000 bit)");
        cli.ok("config", "felix", "LogSeverityScreen", "debug");
        assertThat(cli.get(cli.keys.felixConfig("LogSeverityScreen"))).isEqualTo("debug");
        assertThat(cli.ok("config", "felix", "LogSeverityScreen")).isEqualTo("debug\n");
        cli.ok("config", "felix", "LogSeverityScreen", "--remove");
        assertThat(cli.get(cli.keys.felixConfig("LogSeverityScreen"))).isNull();
        assertThat(cli.ok("version")).startsWith("javactl version: ");
        assertThat(cli.ok("completion")).contains("complete -F");
    }

    /** Bad input: one line on stderr, exit 1 (2 for usage), and etcd exactly as before. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "1|pool add 10.1.0.0/16 10.1.0.0/24|Error: pool 10.1.0.0/24 overlaps existing pool 10.1.0.0/16",
                "1|pool add 10.3.0.0/16 10.4.0.1/16|Error: CIDR: \"10.4.0.1/16\" (host bits set; did you mean 10.4.0.0/16?)",
                "1|pool add 10.3.0.0/28|Error: pool 10.3.0.0/28 is smaller than its block size /26",
                "1|pool add 10.3.0.0/16 --block-size 8|Error: block size: 8 (expected: 20..32 for IPv4)",
                "1|pool remove 10.7.0.0/16|Error: no pool 10.7.0.0/16 (see: javactl pool show)",
                "1|profile add bad/name|Error: profile name: \"bad/name\" (expected: 1-253 of letters, digits, '_', '.', '-')",
                "1|profile add existing|Error: profile existing already exists",
                "1|profile nosuch tag add x|Error: profile nosuch does not exist (add it: javactl profile add nosuch)",
                "1|profile existing rule add inbound allow from ports 80|Error: rule ports: need protocol tcp, udp, sctp or udplite (protocol is not set)",
                "1|profile existing rule add inbound permit|Error: rule action: \"permit\" (expected: allow, deny, log or next-tier)",
                "1|profile existing rule add sideways allow|Error: rule: \"sideways\" (expected: inbound or outbound)",
                "1|profile existing rule add inbound allow tcp from cidr 10.0.0.300/8|Error: IP address: \"10.0.0.300/8\" (octet 300 > 255)",
                "1|profile existing rule remove inbound --at=9|Error: --at=9 (expected: 1..1)",
                "1|node add --name n1 --ip 10.0.0.1 --as 0|Error: AS number: 0 (expected: 1..4294967295, or asdot like 1.10)",
                "1|node add --name n1 --ip 10.0.0.1 --as 4294967296|Error: AS number: 4294967296 (expected: 1..4294967295, or asdot like 1.10)",
                "1|node add --name n1 --ip 2001:db8::1|Error: --ip: 2001:db8::1 is not an IPv4 address",
                "1|node remove ghost|Error: node ghost does not exist (see: javactl node show)",
                "1|node ghost bgp peer add 10.0.0.9 as 65000|Error: node ghost does not exist (see: javactl node show)",
                "1|bgp peer add 10.0.0.9 at 65000|Error: expected 'as' between the peer's IP and AS number (peer add IP as ASN)",
                "1|bgp peer add 10.0.0.9 as 1.70000|Error: AS number: 1.70000 (expected: asdot parts 0..65535, like 1.10)",
                "1|bgp node-mesh maybe|Error: node-mesh: 'maybe' (expected: on or off)",
                "1|ipam assign --host h1|Error: no enabled IPv4 pool (add one: javactl pool add CIDR)",
                "1|ipam assign --ip 192.168.0.1 --host h1|Error: 192.168.0.1 is not in any IP pool",
                "1|ipam release --ip 10.1.0.1|Error: 10.1.0.1 is not assigned",
                "2|pool frobnicate|Error: unknown command or argument 'frobnicate'",
                "2|pool add|Error: Missing required parameter: 'CIDR'",
                "2|pool show -o xml|Error: Invalid value for option '--output': expected one of [table, json, yaml] (case-insensitive) but was 'xml'",
            })
    void badInputIsOneLineAndWritesNothing(int code, String args, String message) {
        cli.ok("pool", "add", "10.1.0.0/16", "--disabled");
        cli.ok("profile", "add", "existing");
        List<String> before = cli.snapshot();
        Cli.Result r = cli.run(args.split(" "));
        assertThat(r.code()).as(r.err()).isEqualTo(code);
        assertThat(r.err().lines().findFirst().orElse("")).isEqualTo(message);
        assertThat(r.err().lines().count()).isLessThanOrEqualTo(code == 2 ? 2 : 1);
        assertThat(r.out()).isEmpty();
        assertThat(cli.snapshot()).isEqualTo(before);
    }
}
