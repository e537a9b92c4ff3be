package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.calicojava.ctl.graph.FabricLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * javactl graph of etcd contents (real etcd): three nodes, h1 a route reflector for h2 and h3 with the mesh off, a ToR
 * as global peer, workloads with profiles, h2's published BGP status. Every node and session is drawn once with its
 * reported state; Graphviz's dot parses the output; the svg and html forms are well-formed XML.
 */
class GraphIT {
    private static final Pattern SESSION =
            Pattern.compile("(?m)^  (n\\d+|x\\d+) -- (n\\d+|x\\d+) \\[color=.*label=\"([^\"]*)\"\\];$");
    private final Cli cli = new Cli();

    @BeforeEach
    void fabric() {
        for (int h = 1; h <= 3; h++) {
            cli.ok("node", "add", "--name", "h" + h, "--ip", "192.0.2.1" + h, "--as", "64512");
        }
        cli.ok("bgp", "node-mesh", "off");
        cli.ok("node", "h1", "bgp", "rr-cluster-id", "224.0.0.1");
        for (int h = 2; h <= 3; h++) {
            cli.ok("node", "h" + h, "bgp", "peer", "add", "192.0.2.11", "as", "64512");
            cli.ok("node", "h1", "bgp", "peer", "add", "192.0.2.1" + h, "as", "64512");
        }
        cli.ok("bgp", "peer", "add", "192.0.2.254", "as", "65000");
        cli.ok("profile", "add", "web");
        cli.ok("profile", "add", "db");
        cli.etcd.put(
                cli.keys.endpoint("h2", "cni", "frontend", "eth0"),
                "{\"state\":\"active\",\"name\":\"cali0123456789a\","
                        + "\"mac\":\"ee:ee:ee:ee:ee:ee\",\"profile_ids\":[\"web\"],\"ipv4_nets\":[\"10.65.0.2/32\"],\"ipv6_nets\":[]}");
        cli.etcd.put(
                cli.keys.endpoint("h3", "cni", "postgres", "eth0"),
                "{\"state\":\"active\",\"name\":\"cali0123456789b\","
                        + "\"mac\":\"ee:ee:ee:ee:ee:ee\",\"profile_ids\":[\"db\",\"web\"],\"ipv4_nets\":[\"10.65.0.3/32\"],\"ipv6_nets\":[]}");
        cli.etcd.put(
                FabricLoader.bgpStatusKey(cli.keys, "h2"),
                "{\"time\":\"2026-12-02T14:00:00Z\",\"sessions\":["
                        + "{\"address\":\"192.0.2.11\",\"type\":\"node specific\",\"state\":\"Established\",\"since\":\"14:00\"},"
                        + "{\"address\":\"192.0.2.254\",\"type\":\"global\",\"state\":\"Active\",\"since\":\"14:00\"}]}");
        // an invalid record: skipped and listed, never drawn
        cli.etcd.put(cli.keys.bgpHostIp("h9", 4), "999.0.0.1\"];evil");
    }

    @AfterEach
    void cleanUp() {
        cli.close();
    }

    @Test
    void everyNodeAndSessionOnceWithItsStateAndDotParsesIt(@TempDir Path tmp) throws Exception {
        String dot = cli.ok("graph");
        for (String n : new String[] {
            "node h1",
            "node h2",
            "node h3",
            "192.0.2.254",
            "route reflector, cluster 224.0.0.1",
            "profile web",
            "profile db",
            "frontend",
            "postgres",
            "10.65.0.3"
        }) {
            assertThat(dot).as(n).contains(n);
        }
        Matcher m = SESSION.matcher(dot);
        java.util.List<String> sessions = new java.util.ArrayList<>();
        while (m.find()) {
            sessions.add(m.group(1) + "-" + m.group(2) + " " + m.group(3));
        }
        // h1-h2, h1-h3 (node peers, configured on both ends: one session each), and the ToR from each of the three
        assertThat(sessions).hasSize(5);
        assertThat(sessions)
                .anyMatch(s -> s.contains("node peer\\nh1: unknown\\nh2: Established")
                        || s.contains("node peer\\nh2: Established\\nh1: unknown"));
        assertThat(sessions).anyMatch(s -> s.contains("global peer\\nh2: Active"));
        assertThat(sessions.stream().filter(s -> s.contains("global peer")).count())
                .isEqualTo(3);
        assertThat(dot).contains("mesh off").contains("// skipped: ");
        assertThat(dot.lines().filter(l -> l.contains("evil")).toList())
                .isNotEmpty()
                .allMatch(l -> l.startsWith("  // skipped: "));
        Path file = tmp.resolve("g.dot");
        Files.writeString(file, dot);
        Process p = new ProcessBuilder("dot", "-Tcanon", file.toString())
                .redirectErrorStream(true)
                .start();
        String canon = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(canon).isZero();

        cli.ok("bgp", "node-mesh", "on");
        String meshed = cli.ok("graph");
        Matcher mm = SESSION.matcher(meshed);
        int count = 0;
        int mesh = 0;
        while (mm.find()) {
            count++;
            mesh += mm.group(3).startsWith("mesh") ? 1 : 0;
        }
        assertThat(count)
                .as("3 mesh sessions (the node peers are the same pairs) and 3 to the ToR")
                .isEqualTo(6);
        assertThat(mesh).isEqualTo(3);
    }

    @Test
    void svgAndHtmlAreWellFormedXmlWithEveryNode(@TempDir Path tmp) throws Exception {
        Path svg = tmp.resolve("f.svg");
        Path html = tmp.resolve("f.html");
        assertThat(cli.ok("graph", "--format", "svg", "--output", svg.toString()))
                .startsWith("Graph written to " + svg);
        assertThat(cli.ok("graph", "--format", "html", "--output", html.toString()))
                .startsWith("Graph written to " + html);
        Document s = xml(Files.readString(svg));
        assertThat(s.getDocumentElement().getNodeName()).isEqualTo("svg");
        Document h = xml(Files.readString(html));
        assertThat(h.getDocumentElement().getNodeName()).isEqualTo("html");
        assertThat(h.getElementsByTagName("svg").getLength()).isEqualTo(1);
        String text = h.getDocumentElement().getTextContent();
        assertThat(text)
                .contains("node h1")
                .contains("node h2")
                .contains("node h3")
                .contains("192.0.2.254");
        assertThat(Files.readString(html)).doesNotContain("<script").doesNotContain("href=\"http");
        Cli.Result bad = cli.run("graph", "--format", "png");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err().trim()).isEqualTo("Error: --format: 'png' (expected: dot, svg or html)");
    }

    private static Document xml(String text) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        f.setFeature("http://xml.org/sax/features/external-general-entities", false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }
}
