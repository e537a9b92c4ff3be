package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code javactl apply|create|replace|delete -f} and {@code get} against the real etcd: what each kind writes in the
 * v1 layout, {@code get -o yaml | apply -f -} changing no value and no revision for every kind, bad documents refused
 * with their line and nothing written, and a multi-document file stopping at its first bad document.
 */
class ResourceIT {
    private static final String PASSWORD = "pe3r-Secret";
    private final Cli cli = new Cli();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        cli.close();
    }

    static String header(String kind, String name) {
        return "apiVersion: projectcalico.org/v3\nkind: " + kind + "\nmetadata:\n  name: " + name + "\n";
    }

    Path file(String text) throws IOException {
        Path f = Files.createTempFile(dir, "res", ".yaml");
        Files.writeString(f, text);
        return f;
    }

    Cli.Result withStdin(String text, String... args) {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        try {
            return cli.run(args);
        } finally {
            System.setIn(saved);
        }
    }

    String everyKind() throws IOException {
        Path pw = dir.resolve("peer-password");
        Files.writeString(pw, PASSWORD + "\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        return header("IPPool", "10.1.0.0-16") + """
                spec:
                  cidr: 10.1.0.0/16
                  ipipMode: Always
                  natOutgoing: true
                  blockSize: 28
                ---
                apiVersion: projectcalico.org/v3
                kind: IPPool
                metadata: {}
                spec:
                  cidr: fd00:1::/64
                  disabled: true
                ---
                """ + header("Tier", "security") + """
                spec:
                  order: 100
                ---
                """ + header("Policy", "web-in")
                + """
                spec:
                  tier: security
                  order: 10
                  selector: role == 'web'
                  ingress:
                  - action: Allow
                    protocol: TCP
                    source:
                      selector: role == 'client'
                      notNets: [10.9.0.0/16]
                    destination:
                      ports: [80, "8000:8080"]
                  - action: Log
                    protocol: ICMP
                    icmp: {type: 8, code: 0}
                    notICMP: {type: 3}
                  - action: Pass
                    notProtocol: UDP
                    source:
                      tag: ops
                      notTag: blocked
                  - action: Deny
                  egress:
                  - action: Allow
                    protocol: 17
                    destination:
                      nets: [10.53.0.10/32]
                      notPorts: [5353]
                ---
                """ + header("Profile", "web") + """
                spec:
                  tags: [web, frontend]
                  labelsToApply:
                    role: web
                  ingress:
                  - action: Allow
                    source:
                      tag: web
                  egress:
                  - action: Allow
                ---
                """ + header("Node", "n1") + """
                spec:
                  bgp:
                    ipv4Address: 192.168.0.1/24
                    ipv6Address: fd00::1
                    asNumber: 64600
                    routeReflectorClusterID: 224.0.0.1
                ---
                apiVersion: projectcalico.org/v3
                kind: BGPPeer
                metadata: {}
                spec:
                  node: n1
                  peerIP: 192.168.0.254
                  asNumber: 65000
                  password:
                    file: %s
                  acceptDefault: true
                  maxPrefixes: {limit: 1000, action: warn, restartAfterSeconds: 30}
                  gracefulRestartNotification: true
                ---
                """.formatted(pw)
                + header("BGPPeer", "global.fd00--fe") + """
                spec:
                  peerIP: fd00::fe
                  asNumber: 65001
                ---
                """ + header("BGPConfiguration", "default")
                + """
                spec:
                  asNumber: 64513
                  nodeToNodeMeshEnabled: false
                  nodeMeshPassword: {env: RESOURCE_IT_NO_SUCH_VARIABLE_IS_SET}
                """.replace("  nodeMeshPassword: {env: RESOURCE_IT_NO_SUCH_VARIABLE_IS_SET}\n", "") + """
                ---
                """
                + header("FelixConfiguration", "default") + """
                spec:
                  logSeverityScreen: Info
                  reportingIntervalSecs: 30
                  ipv6Support: false
                  chainInsertMode: '010'
                ---
                """ + header("FelixConfiguration", "node.n1") + """
                spec:
                  logSeverityScreen: Debug
                """;
    }

    @Test
    void everyKindIsStoredInTheV1LayoutAndGetApplyChangesNothing() throws IOException {
        String out = cli.ok("apply", "-f", file(everyKind()).toString());
        assertThat(out.lines()).hasSize(11).allMatch(l -> l.startsWith("Created "));
        var k = cli.keys;
        assertThat(cli.get(k.pool(org.calicojava.model.Cidr.parse("10.1.0.0/16"))))
                .isEqualTo(
                        "{\"cidr\":\"10.1.0.0/16\",\"ipip\":true,\"ipip_mode\":\"always\",\"vxlan_mode\":\"never\",\"masquerade\":true,\"disabled\":false,\"block_size\":28}");
        assertThat(cli.get(k.tierMetadata("security"))).isEqualTo("{\"order\":100.0}");
        assertThat(cli.get(k.policy("security", "web-in")))
                .isEqualTo("{\"selector\":\"role == 'web'\",\"order\":10.0,"
                        + "\"inbound_rules\":[{\"action\":\"allow\",\"protocol\":\"tcp\",\"src_selector\":\"role == 'client'\","
                        + "\"dst_ports\":[80,\"8000:8080\"],\"!src_net\":\"10.9.0.0/16\"},"
                        + "{\"action\":\"log\",\"protocol\":\"icmp\",\"icmp_type\":8,\"icmp_code\":0,\"!icmp_type\":3},"
                        + "{\"action\":\"next-tier\",\"src_tag\":\"ops\",\"!protocol\":\"udp\",\"!src_tag\":\"blocked\"},"
                        + "{\"action\":\"deny\"}],\"outbound_rules\":[{\"action\":\"allow\",\"protocol\":\"17\","
                        + "\"dst_net\":\"10.53.0.10/32\",\"!dst_ports\":[5353]}]}");
        assertThat(cli.get(k.profileTags("web"))).isEqualTo("[\"web\",\"frontend\"]");
        assertThat(cli.get(k.profileLabels("web"))).isEqualTo("{\"role\":\"web\"}");
        assertThat(cli.get(k.bgpHostIp("n1", 4))).isEqualTo("192.168.0.1");
        assertThat(cli.get(k.bgpHostIp("n1", 6))).isEqualTo("fd00::1");
        assertThat(cli.get(k.bgpHostAsNum("n1"))).isEqualTo("64600");
        assertThat(cli.get(k.bgpHostRrClusterId("n1"))).isEqualTo("224.0.0.1");
        assertThat(cli.get(k.hostInitialised("n1"))).isEqualTo("true");
        assertThat(cli.get(k.bgpHostPeer("n1", "192.168.0.254")))
                .isEqualTo("{\"ip\":\"192.168.0.254\",\"as_num\":"
                        + "\"65000\",\"password\":\"" + PASSWORD
                        + "\",\"accept_default\":true,\"max_prefixes\":{\"limit\":1000,"
                        + "\"action\":\"warn\",\"restart_after_s\":30},\"graceful_restart_notification\":true}");
        assertThat(cli.get(k.bgpGlobalPeer("fd00::fe"))).isEqualTo("{\"ip\":\"fd00::fe\",\"as_num\":\"65001\"}");
        assertThat(cli.get(k.bgpGlobalAsNum())).isEqualTo("64513");
        assertThat(cli.get(k.bgpNodeMesh())).isEqualTo("{\"enabled\":false}");
        assertThat(cli.get(k.felixConfig("ReportingIntervalSecs"))).isEqualTo("30");
        assertThat(cli.get(k.felixConfig("Ipv6Support"))).isEqualTo("false");
        assertThat(cli.get(k.felixConfig("ChainInsertMode"))).isEqualTo("010");
        assertThat(cli.get(k.hostConfig("n1", "LogSeverityScreen"))).isEqualTo("Debug");
        cli.etcd.put(
                k.endpoint("n1", "docker", "c1", "eth0"),
                "{\"state\":\"active\",\"name\":\"cali0123456789a\","
                        + "\"mac\":\"ee:ee:ee:ee:ee:ee\",\"profile_ids\":[\"web\"],\"ipv4_nets\":[\"10.1.0.5/32\"],"
                        + "\"ipv6_nets\":[],\"labels\":{\"role\":\"web\"}}");

        for (String kind : List.of(
                "IPPool", "Profile", "Tier", "Policy", "Node", "BGPPeer", "BGPConfiguration", "FelixConfiguration")) {
            String yaml = cli.ok("get", kind, "-o", "yaml");
            assertThat(yaml).as(kind).contains("kind: " + kind).doesNotContain(PASSWORD);
            List<String> before = cli.snapshot();
            Cli.Result again = withStdin(yaml, "apply", "-f", "-");
            assertThat(again.code()).as(again.err()).isZero();
            assertThat(again.out().lines()).as(kind).isNotEmpty().allMatch(l -> l.startsWith("Unchanged " + kind));
            assertThat(cli.snapshot()).as(kind + " after get | apply").isEqualTo(before);
            String json = cli.ok("get", kind, "-o", "json"); // a List with items
            Cli.Result fromJson = withStdin(json, "apply", "-f", "-");
            assertThat(fromJson.code()).as(fromJson.err()).isZero();
            assertThat(fromJson.out().lines()).as(kind).isNotEmpty().allMatch(l -> l.startsWith("Unchanged " + kind));
            assertThat(cli.snapshot()).as(kind + " after get -o json | apply").isEqualTo(before);
        }
        assertThat(cli.ok("get", "bgppeer", "-o", "yaml"))
                .contains("password:\n    keep: true")
                .contains("gracefulRestartNotification: true");
        assertThat(cli.ok("get", "bgppeer", "-o", "wide")).contains("| set ").doesNotContain(PASSWORD);
        assertThat(cli.ok("get", "bgppeer", "node.n1.192.168.0.254", "-o", "json"))
                .contains("\"keep\" : true")
                .doesNotContain(PASSWORD);
        assertThat(cli.ok("get", "policy", "security/web-in", "-o", "yaml")).contains("""
                  - action: Log
                    protocol: ICMP
                    icmp:
                      type: 8
                      code: 0
                    notICMP:
                      type: 3
                """);
        String wep = cli.ok("get", "wep", "c1", "-o", "yaml");
        assertThat(wep)
                .contains("name: n1.docker.c1.eth0")
                .contains("interfaceName: cali0123456789a")
                .contains("- 10.1.0.5/32")
                .contains("role: web");
        assertThat(cli.ok("get", "workloadendpoint")).contains("| n1.docker.c1.eth0 | n1   | 10.1.0.5/32");
        Cli.Result applyWep = withStdin(wep, "apply", "-f", "-");
        assertThat(applyWep.err()).contains("WorkloadEndpoint is shown only");
    }

    @Test
    void recordsWrittenByTheV0CommandsComeBackUnchanged() throws IOException {
        Path pw = dir.resolve("pw");
        Files.writeString(pw, PASSWORD + "\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        cli.ok("pool", "add", "10.2.0.0/16", "--nat-outgoing", "--ipip");
        cli.ok("profile", "add", "db");
        cli.ok(
                "profile",
                "db",
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
                "5432");
        cli.ok("node", "add", "--name", "n2", "--ip", "10.0.0.2", "--as", "64700");
        cli.ok(
                "bgp",
                "peer",
                "add",
                "10.0.0.254",
                "as",
                "65000",
                "--password-file",
                pw.toString(),
                "--max-prefixes",
                "50");
        cli.ok("bgp", "node-mesh", "on", "--password-file", pw.toString());
        cli.ok("bgp", "default-node-as", "64999");
        cli.ok("config", "felix", "LogSeverityScreen", "Warning");
        StringBuilder all = new StringBuilder();
        for (String kind : List.of("ippool", "profile", "node", "bgppeer", "bgpconfig", "felixconfig")) {
            all.append(cli.ok("get", kind, "-o", "yaml")).append("---\n");
        }
        assertThat(all.toString()).doesNotContain(PASSWORD).contains("nodeMeshPassword:\n    keep: true");
        List<String> before = cli.snapshot();
        Cli.Result r = withStdin(all.toString(), "apply", "-f", "-");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().lines()).hasSize(6).allMatch(l -> l.startsWith("Unchanged "));
        assertThat(cli.snapshot()).isEqualTo(before);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            kind: IPPool\\nmetadata: {}\\nspec:\\n  cidr: 10.9.0.0/16\\n  colour: red | document 1, line 7: spec.colour: unknown field (expected one of: blockSize, cidr, disabled, ipipMode, natOutgoing, vxlanMode)
            kind: IPPool\\nmetadata: {}\\nspec:\\n  cidr: 10.9.0.0/16\\n  ipipMode: Sometimes | document 1, line 5: spec: ipipMode: "Sometimes" (expected: Always, CrossSubnet or Never)
            kind: IPPool\\nmetadata: {}\\nspec:\\n  cidr: 10.9.0.0/16\\n  ipipMode: Always\\n  vxlanMode: CrossSubnet | document 1, line 5: spec: pool 10.9.0.0/16: IPIP and VXLAN together (expected: at most one encapsulation per pool)
            kind: IPPool\\nmetadata: {name: pool1}\\nspec:\\n  cidr: 10.9.0.0/16 | document 1, line 4: metadata.name: "pool1" (expected: 10.9.0.0-16 or none: the v1 layout names a pool by its CIDR)
            kind: IPPool\\nmetadata: {}\\nspec:\\n  cidr: 10.0.0.0/8 | document 1, line 1: pool 10.0.0.0/8 overlaps existing pool 10.1.0.0/16
            kind: IPPool\\nmetadata: {}\\nspec:\\n  cidr: 10.1.0.0/16\\n  blockSize: 27 | document 1, line 7: spec.blockSize: 27 (pool 10.1.0.0/16 exists with block size 26, which cannot change: delete and re-create it)
            kind: IPPool\\nmetadata: {}\\nspec:\\n  cidr: 169.254.0.0/20 | document 1, line 5: spec: pool 169.254.0.0/20 overlaps 169.254.0.0/16 (expected: no unspecified, loopback, link-local, multicast or IPv4-mapped addresses)
            kind: Tier\\nmetadata: {name: a.b}\\nspec: {} | document 1, line 4: metadata.name: tier name: "a.b" (expected: 1-63 of letters, digits, '_', '-')
            kind: Policy\\nmetadata:\\n  name: p\\nspec:\\n  ingress:\\n  - action: Allow\\n  - action: Alow | document 1, line 9: spec.ingress[1]: action: "Alow" (expected: Allow, Deny, Log or Pass)
            kind: Policy\\nmetadata:\\n  name: p\\nspec:\\n  ingress:\\n  - action: Allow\\n    destination:\\n      ports: [80] | document 1, line 8: spec.ingress[0]: rule ports: need protocol tcp, udp, sctp or udplite (protocol is not set)
            kind: Policy\\nmetadata:\\n  name: p\\nspec:\\n  tier: nosuch | document 1, line 7: spec.tier: "nosuch" does not exist (create it first: kind Tier)
            kind: Policy\\nmetadata:\\n  name: bad/name | document 1, line 5: metadata.name: policy name: "bad/name" (expected: 1-253 of letters, digits, '_', '.', '-')
            kind: Policy\\nmetadata:\\n  name: p\\n  namespace: x | document 1, line 6: metadata.namespace: unknown field (expected one of: creationTimestamp, labels, name, resourceVersion, uid)
            kind: Node\\nmetadata: {name: n9}\\nspec:\\n  bgp:\\n    ipv4Address: 192.168.0.300 | document 1, line 6: spec.bgp: IP address: "192.168.0.300" (octet 300 > 255)
            kind: BGPPeer\\nmetadata: {}\\nspec:\\n  peerIP: 10.0.0.1\\n  asNumber: 1\\n  password: {env: RESOURCE_IT_UNSET} | document 1, line 8: spec.password.env: variable "RESOURCE_IT_UNSET" is not set
            kind: BGPPeer\\nmetadata: {}\\nspec:\\n  peerIP: 10.0.0.1\\n  asNumber: 1\\n  password: {keep: true} | document 1, line 8: spec.password.keep: no password is stored to keep
            kind: BGPPeer\\nmetadata: {}\\nspec:\\n  peerIP: 10.0.0.1\\n  asNumber: 4294967296 | document 1, line 5: spec: AS number
            kind: FelixConfiguration\\nmetadata: {name: default}\\nspec:\\n  logSeverityScreen: [a] | document 1, line 6: spec.logSeverityScreen: not a single value (expected: a string, number or boolean)
            kind: Pod\\nmetadata: {name: x} | document 1, line 1: kind: "Pod" (expected one of: IPPool, Profile, Tier, Policy, Node, BGPPeer, BGPConfiguration, FelixConfiguration, IPAMConfiguration, WorkloadEndpoint)
            kind: Tier\\nmetadata: {name: t}\\nspec: [ | document 1, line 5: spec: while parsing a flow node
            """)
    void badDocumentsAreRefusedWithTheirLineAndWriteNothing(String body, String expected) throws IOException {
        cli.ok("pool", "add", "10.1.0.0/16");
        List<String> before = cli.snapshot();
        Path f = file("# a comment\napiVersion: projectcalico.org/v3\n" + body.replace("\\n", "\n") + "\n");
        Cli.Result r = cli.run("apply", "-f", f.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("Error: " + f + ": " + expected).endsWith("(nothing written)\n");
        assertThat(r.err().lines()).hasSize(1);
        assertThat(cli.snapshot()).isEqualTo(before);
    }

    @Test
    void aBadDocumentStopsTheFileLeavingTheEarlierOnesApplied() throws IOException {
        String text = header("Tier", "t1") + "spec:\n  order: 1\n---\n" + header("Profile", "p1")
                + "spec:\n  ingress:\n  - action: Allow\n    protocol: TCPX\n---\n" + header("Tier", "t3")
                + "spec: {}\n";
        Path f = file(text);
        Cli.Result r = cli.run("apply", "-f", f.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("Created Tier t1\n");
        assertThat(r.err())
                .isEqualTo("Error: " + f + ": document 2, line 14: spec.ingress[0]: rule protocol: \"tcpx\" "
                        + "(expected: tcp, udp, icmp, icmpv6, sctp, udplite or a number 1..255) (document 1 applied; nothing of "
                        + "document 2 or later written)\n");
        assertThat(cli.get(cli.keys.tierMetadata("t1"))).isEqualTo("{\"order\":1.0}");
        assertThat(cli.etcd.list(cli.keys.profile("p1") + "/").kvs()).isEmpty();
        assertThat(cli.get(cli.keys.tierMetadata("t3"))).isNull();
    }

    @Test
    void aListsItemsAreDocumentsWithTheirOwnLines() throws IOException {
        Path f = file("""
                apiVersion: projectcalico.org/v3
                kind: List
                items:
                - apiVersion: projectcalico.org/v3
                  kind: Tier
                  metadata:
                    name: t9
                  spec:
                    order: 3
                - apiVersion: projectcalico.org/v3
                  kind: Policy
                  metadata:
                    name: p9
                  spec:
                    tier: t9
                    ingress:
                    - action: Alow
                """);
        Cli.Result r = cli.run("apply", "-f", f.toString());
        assertThat(r.out()).isEqualTo("Created Tier t9\n");
        assertThat(r.err())
                .isEqualTo("Error: " + f + ": document 2, line 17: spec.ingress[0]: action: \"Alow\" "
                        + "(expected: Allow, Deny, Log or Pass) (document 1 applied; nothing of document 2 written)\n");
        assertThat(cli.get(cli.keys.policy("t9", "p9"))).isNull();
    }

    @Test
    void createReplaceApplyAndDelete() throws IOException {
        Path v1 = file(
                header("Profile", "p") + "spec:\n  tags: [p]\n  labelsToApply: {a: b}\n  egress:\n  - action: Allow\n");
        Path v2 = file(header("Profile", "p") + "spec:\n  egress:\n  - action: Deny\n");
        Cli.Result missing = cli.run("replace", "-f", v1.toString());
        assertThat(missing.err())
                .isEqualTo("Error: " + v1 + ": document 1, line 1: Profile p does not exist (nothing written)\n");
        assertThat(cli.ok("create", "-f", v1.toString())).isEqualTo("Created Profile p\n");
        List<String> before = cli.snapshot();
        Cli.Result exists = cli.run("create", "-f", v1.toString());
        assertThat(exists.err()).contains("Profile p already exists (use replace or apply)");
        assertThat(cli.snapshot()).isEqualTo(before);
        assertThat(cli.ok("replace", "-f", v2.toString())).isEqualTo("Replaced Profile p\n");
        // the profile owns its keys: the tags and labels left out are now empty
        assertThat(cli.get(cli.keys.profileTags("p"))).isEqualTo("[]");
        assertThat(cli.get(cli.keys.profileLabels("p"))).isEqualTo("{}");
        assertThat(cli.get(cli.keys.profileRules("p")))
                .isEqualTo("{\"inbound_rules\":[],\"outbound_rules\":[{\"action\":\"deny\"}]}");
        assertThat(cli.ok("apply", "-f", v1.toString())).isEqualTo("Updated Profile p\n");
        assertThat(cli.ok("delete", "-f", v1.toString())).isEqualTo("Deleted Profile p\n");
        assertThat(cli.etcd.list(cli.keys.profile("p") + "/").kvs()).isEmpty();

        cli.ok("config", "felix", "Foo", "1");
        cli.ok(
                "apply",
                "-f",
                file(header("FelixConfiguration", "default") + "spec:\n  bar: 2\n")
                        .toString());
        assertThat(cli.get(cli.keys.felixConfig("Foo"))).isNull();
        assertThat(cli.get(cli.keys.felixConfig("Bar"))).isEqualTo("2");

        cli.ok(
                "apply",
                "-f",
                file(header("Tier", "t") + "spec: {order: 5}\n---\n" + header("Policy", "p") + "spec: {tier: t}\n")
                        .toString());
        Cli.Result busy = cli.run("delete", "tier", "t");
        assertThat(busy.err()).isEqualTo("Error: tier t has 1 policy; delete them first\n");
        assertThat(cli.ok("delete", "policy", "t/p")).isEqualTo("Deleted Policy t/p\n");
        assertThat(cli.ok("delete", "tier", "t")).isEqualTo("Deleted Tier t\n");
        assertThat(cli.etcd.list(cli.keys.tiers()).kvs()).isEmpty();
        assertThat(cli.run("get", "tier", "t").err()).isEqualTo("Error: Tier \"t\" not found\n");
    }
}
