package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22's peer options against the real etcd: passwords from owner-only files (global, per node, the mesh), never
 * printed; accept-default; prefix limits; refusals with one clear line and nothing written.
 */
class BgpPeerOptionsIT {
    private final Cli cli = new Cli();

    @TempDir
    Path tmp;

    @AfterEach
    void close() {
        cli.close();
    }

    private Path secret(String name, String content, String mode) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void passwordsLimitsAndAcceptDefault() throws Exception {
        Path pw = secret("tor.pw", "t0r secret!\n", "rw-------");
        assertThat(cli.ok(
                        "bgp",
                        "peer",
                        "add",
                        "192.0.2.254",
                        "as",
                        "65000",
                        "--password-file",
                        pw.toString(),
                        "--max-prefixes",
                        "1000",
                        "--accept-default"))
                .isEqualTo("Added global BGP peer 192.0.2.254 as 65000 (password: set)\n");
        assertThat(cli.get(cli.keys.bgpGlobalPeer("192.0.2.254")))
                .isEqualTo("{\"ip\":\"192.0.2.254\",\"as_num\":\"65000\","
                        + "\"password\":\"t0r secret!\",\"accept_default\":true,\"max_prefixes\":{\"limit\":1000,\"action\":\"stop\","
                        + "\"restart_after_s\":60}}");
        String show = cli.ok("bgp", "peer", "show");
        assertThat(show)
                .contains("| 192.0.2.254  | 65000     | set      | yes            | 1000 stop restart 60s | no ")
                .doesNotContain("t0r");
        assertThat(cli.ok("bgp", "peer", "show", "-o", "json"))
                .doesNotContain("t0r")
                .contains("\"password\" : \"set\"");

        cli.ok("node", "add", "--name", "h1", "--ip", "192.0.2.11");
        cli.ok(
                "node",
                "h1",
                "bgp",
                "peer",
                "add",
                "192.0.2.253",
                "as",
                "65001",
                "--password-file",
                pw.toString(),
                "--max-prefixes",
                "50",
                "--max-prefixes-action",
                "drop",
                "--graceful-restart-notification");
        assertThat(cli.get(cli.keys.bgpHostPeer("h1", "192.0.2.253")))
                .contains("\"password\":\"t0r secret!\"")
                .contains("\"max_prefixes\":{\"limit\":50,\"action\":\"drop\"")
                .contains("\"graceful_restart_notification\":true")
                .doesNotContain("accept_default");
        assertThat(cli.get(cli.keys.bgpGlobalPeer("192.0.2.254"))).doesNotContain("graceful");
        assertThat(cli.ok("node", "h1", "bgp", "peer", "show"))
                .contains("| set ")
                .contains("| no ")
                .contains("50 drop")
                .contains("| yes ")
                .doesNotContain("t0r");
        assertThat(cli.ok("node", "show")).contains("192.0.2.253 as 65001").doesNotContain("t0r");
        cli.etcd.put(cli.keys.bgpHostPeer("h1", "192.0.2.252"), "{\"ip\":\"192.0.2.252\",\"password\":\"t0r x\"}");
        assertThat(cli.ok("node", "show")).contains("192.0.2.252 as (invalid)").doesNotContain("t0r");

        Path meshPw = secret("mesh.pw", "mesh-pw\n", "r--------");
        assertThat(cli.ok("bgp", "node-mesh", "on", "--password-file", meshPw.toString()))
                .isEqualTo("Node-to-node mesh on (password: set)\n");
        assertThat(cli.get(cli.keys.bgpNodeMesh())).isEqualTo("{\"enabled\":true,\"password\":\"mesh-pw\"}");
        assertThat(cli.ok("bgp", "node-mesh")).isEqualTo("on (password: set)\n");
        cli.ok("bgp", "node-mesh", "off"); // keeps the password
        assertThat(cli.get(cli.keys.bgpNodeMesh())).isEqualTo("{\"enabled\":false,\"password\":\"mesh-pw\"}");
        cli.ok("bgp", "node-mesh", "on", "--no-password");
        assertThat(cli.get(cli.keys.bgpNodeMesh())).isEqualTo("{\"enabled\":true}");
    }

    @Test
    void badPasswordFilesAndLimitsAreRefusedWithoutWritingOrEchoing() throws Exception {
        Path open = secret("open.pw", "pw\n", "rw-r--r--");
        Cli.Result r = cli.run("bgp", "peer", "add", "192.0.2.254", "as", "65000", "--password-file", open.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err())
                .isEqualTo("Error: --password-file: " + open + " has mode rw-r--r-- (expected: no access for "
                        + "group and others, e.g. chmod 600)\n");
        Path quote = secret("quote.pw", "se\"cret\n", "rw-------");
        r = cli.run("bgp", "peer", "add", "192.0.2.254", "as", "65000", "--password-file", quote.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err())
                .isEqualTo("Error: --password-file: " + quote + ": password: contains '\"' at position 3 "
                        + "(expected: printable ASCII without \" and \\)\n")
                .doesNotContain("cret");
        Path backslash = secret("bs.pw", "a\\b\n", "rw-------");
        assertThat(cli.run("bgp", "node-mesh", "on", "--password-file", backslash.toString())
                        .err())
                .contains("password: contains '\\' at position 2");
        Path control = secret("ctl.pw", "a\tb\n", "rw-------");
        assertThat(cli.run("bgp", "peer", "add", "192.0.2.254", "as", "65000", "--password-file", control.toString())
                        .err())
                .contains("password: contains character U+0009 at position 2");
        r = cli.run("bgp", "peer", "add", "192.0.2.254", "as", "65000", "--max-prefixes", "0");
        assertThat(r.err()).isEqualTo("Error: --max-prefixes: max_prefixes limit: 0 (expected: 1..100000000)\n");
        r = cli.run("bgp", "peer", "add", "192.0.2.254", "as", "65000", "--max-prefixes-action", "drop");
        assertThat(r.err())
                .isEqualTo("Error: --max-prefixes-action and --max-prefixes-restart-after need --max-prefixes N\n");
        assertThat(cli.get(cli.keys.bgpGlobalPeer("192.0.2.254"))).isNull();
        assertThat(cli.get(cli.keys.bgpNodeMesh())).isNull();
    }
}
