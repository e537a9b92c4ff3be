package org.calicojava.confd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.calicojava.confd.ConfdHarness.read;
import static org.calicojava.confd.ConfdHarness.waitUntil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.calicojava.process.CommandRunner;
import org.calicojava.process.ProcessRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watching renderer against a real etcd, with the real `bird -p` as check_cmd. */
class ConfdDaemonIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path tmp;

    ConfdHarness h;
    final List<ConfdDaemon> daemons = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        h = new ConfdHarness(tmp);
    }

    @AfterEach
    void tearDown() {
        daemons.forEach(ConfdDaemon::close);
        h.close();
    }

    private ConfdDaemon start(String node, Duration quiet, Duration max) {
        ConfdDaemon d = h.daemon(node, quiet, max);
        daemons.add(d);
        d.start();
        return d;
    }

    private void baseData() {
        h.node("me", "10.0.0.1", "fd00::1");
        h.put(h.keys.pool(org.calicojava.model.Cidr.parse("10.1.0.0/16")), "{\"cidr\":\"10.1.0.0/16\"}");
        h.put(h.keys.ipamAffinity("me", org.calicojava.model.Cidr.parse("10.1.0.0/26")), "{\"state\":\"confirmed\"}");
    }

    /** Writes, then polls until the speaker file satisfies {@code cond}; returns the latency in ms. */
    private double change(String what, Runnable write, Predicate<String> cond) throws Exception {
        int speaker = h.reloads("speaker");
        int bird = h.reloads("bird");
        long t0 = System.nanoTime();
        write.run();
        waitUntil(WAIT, what + " in " + h.speakerFile("me"), () -> cond.test(read(h.speakerFile("me"))));
        double ms = (System.nanoTime() - t0) / 1e6;
        waitUntil(WAIT, what + ": reloads", () -> {
            try {
                return h.reloads("speaker") == speaker + 1 && h.reloads("bird") == bird + 1;
            } catch (Exception e) {
                return false;
            }
        });
        Thread.sleep(400); // a second reload for the same write would show up by now
        assertThat(h.reloads("speaker")).as(what + ": speaker reloads").isEqualTo(speaker + 1);
        assertThat(h.reloads("bird")).as(what + ": bird reloads").isEqualTo(bird + 1);
        return ms;
    }

    @Test
    void rendersOnStartThenFollowsEachChangeWithOneReload() throws Exception {
        baseData();
        ConfdDaemon d = h.daemon("me", Duration.ofMillis(50), Duration.ofMillis(200));
        daemons.add(d);
        assertThat(d.start()).isTrue();
        assertThat(read(h.speakerFile("me"))).contains("routerId: \"10.0.0.1\"", "- \"10.1.0.0/26\"", "neighbors: []");
        assertThat(read(h.birdFile("me"))).contains("router id 10.0.0.1;", "route 10.1.0.0/26 blackhole;");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(h.speakerFile("me"))))
                .isEqualTo("rw-r-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(h.birdFile("me"))))
                .isEqualTo("rw-r--r--");
        assertThat(h.reloads("speaker")).isEqualTo(1);
        assertThat(h.reloads("bird")).isEqualTo(1);

        Map<String, Double> latency = new LinkedHashMap<>();
        latency.put(
                "add node",
                change(
                        "add node",
                        () -> h.node("b", "10.0.0.2", "fd00::2"),
                        s -> s.contains("address: \"10.0.0.2\"") && s.contains("address: \"fd00::2\"")));
        latency.put(
                "change IP",
                change(
                        "change IP",
                        () -> h.put(h.keys.bgpHostIp("b", 4), "10.0.0.3"),
                        s -> s.contains("address: \"10.0.0.3\"") && !s.contains("10.0.0.2")));
        latency.put(
                "add peer",
                change(
                        "add peer",
                        () -> h.put(h.keys.bgpGlobalPeer("192.0.2.1"), "{\"ip\":\"192.0.2.1\",\"as_num\":\"65100\"}"),
                        s -> s.contains("address: \"192.0.2.1\"")));
        latency.put(
                "mesh off",
                change(
                        "mesh off",
                        () -> h.put(h.keys.bgpNodeMesh(), "{\"enabled\":false}"),
                        s -> !s.contains("10.0.0.3")));
        latency.put(
                "mesh on",
                change(
                        "mesh on",
                        () -> h.put(h.keys.bgpNodeMesh(), "{\"enabled\":true}"),
                        s -> s.contains("10.0.0.3")));
        latency.put(
                "add pool",
                change(
                        "add pool",
                        () -> h.put(
                                h.keys.pool(org.calicojava.model.Cidr.parse("fd10::/48")), "{\"cidr\":\"fd10::/48\"}"),
                        s -> s.contains("fd10::/48 le 128")));
        latency.put(
                "delete node",
                change(
                        "delete node",
                        () -> h.store.deletePrefix(h.keys.bgpHost("b") + "/"),
                        s -> !s.contains("10.0.0.3")));
        System.out.println("confd-renderer latency etcd write -> file changed (ms, quiet 50 / max 200): " + latency);

        String bird = read(h.birdFile("me"));
        assertThat(bird)
                .contains("if net ~ [ fd10::/48+ ] then accept;", "protocol bgp Global_192_0_2_1")
                .doesNotContain("Mesh_");
        CommandRunner.Result r = ProcessRunner.local().shell("bird -p -c " + h.birdFile("me"), Duration.ofSeconds(20));
        assertThat(r.ok()).as(r.oneLine()).isTrue();
    }

    /**
     * Issue 20: with 1,000 nodes in etcd (every one a mesh peer of "me"), one node's address changing is rendered and
     * reloaded once; the latency (etcd write to file replaced, 50 ms quiet period included) is printed per change.
     */
    @Test
    void oneChangeAmongAThousandNodesIsRenderedWithOneReload() throws Exception {
        baseData();
        for (int i = 1; i <= 1000; i++) {
            h.node("n" + i, "10.2." + (i / 250) + "." + (i % 250 + 1), null);
        }
        ConfdDaemon d = h.daemon("me", Duration.ofMillis(50), Duration.ofMillis(200));
        daemons.add(d);
        assertThat(d.start()).isTrue();
        assertThat(read(h.speakerFile("me"))).contains("address: \"10.2.4.1\"", "address: \"10.2.0.2\"");
        List<Double> ms = new ArrayList<>();
        for (int round = 1; round <= 5; round++) {
            String ip = "10.3.0." + round;
            ms.add(change(
                    "n500 moves to " + ip,
                    () -> h.put(h.keys.bgpHostIp("n500", 4), ip),
                    s -> s.contains("address: \"" + ip + "\"")));
        }
        String speaker = read(h.speakerFile("me"));
        assertThat(speaker).contains("address: \"10.3.0.5\"").doesNotContain("address: \"10.3.0.4\"");
        assertThat(Pattern.compile("- address: ").matcher(speaker).results().count())
                .as("one mesh neighbour per other node")
                .isEqualTo(1000);
        System.out.println(
                "confd-renderer 1,000 nodes: latency etcd write -> file changed (ms, quiet 50 / max 200): " + ms);
    }

    @Test
    void aBurstOfWritesIsRenderedAndReloadedOnce() throws Exception {
        baseData();
        ConfdDaemon d = start("me", Duration.ofMillis(500), Duration.ofSeconds(5));
        long renders = d.renders();
        int reloads = h.reloads("speaker");
        for (int i = 2; i <= 6; i++) {
            h.node("n" + i, "10.0.0." + i, null);
        }
        waitUntil(WAIT, "all five nodes", () -> read(h.speakerFile("me")).contains("10.0.0.6"));
        Thread.sleep(1000);
        assertThat(read(h.speakerFile("me"))).contains("10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5");
        assertThat(d.renders()).isEqualTo(renders + 1);
        assertThat(h.reloads("speaker")).isEqualTo(reloads + 1);
    }

    @Test
    void aLongBurstIsRenderedWithinTheMaxDelay() throws Exception {
        baseData();
        ConfdDaemon d = start("me", Duration.ofMillis(100), Duration.ofMillis(300));
        long renders = d.renders();
        boolean seenDuringBurst = false;
        for (int i = 2; i < 40; i++) { // about 2 s of writes, 50 ms apart: never 100 ms quiet
            h.node("n" + i, "10.0.1." + i, null);
            Thread.sleep(50);
            seenDuringBurst |= read(h.speakerFile("me")).contains("\"10.0.1.2\"");
        }
        assertThat(seenDuringBurst)
                .as("first write rendered while the burst went on")
                .isTrue();
        waitUntil(WAIT, "last node", () -> read(h.speakerFile("me")).contains("\"10.0.1.39\""));
        assertThat(d.renders() - renders).isGreaterThanOrEqualTo(2L);
    }

    @Test
    void anUnchangedRenderDoesNotTouchTheFileOrReload() throws Exception {
        baseData();
        ConfdDaemon d = start("me", Duration.ofMillis(50), Duration.ofMillis(200));
        String speakerId = ConfdHarness.identity(h.speakerFile("me"));
        String birdId = ConfdHarness.identity(h.birdFile("me"));
        long renders = d.renders();
        Thread.sleep(20); // so that a rewrite would get a different mtime
        // watched keys, but nothing in this node's output depends on them
        h.put(h.keys.bgpHostPeer("other", "10.9.9.9"), "{\"ip\":\"10.9.9.9\",\"as_num\":\"65000\"}");
        h.put(
                h.keys.ipamAffinity("other", org.calicojava.model.Cidr.parse("10.1.0.64/26")),
                "{\"state\":\"confirmed\"}");
        waitUntil(WAIT, "a render pass", () -> d.renders() > renders);
        Thread.sleep(300);
        assertThat(ConfdHarness.identity(h.speakerFile("me"))).isEqualTo(speakerId);
        assertThat(ConfdHarness.identity(h.birdFile("me"))).isEqualTo(birdId);
        assertThat(h.reloads("speaker")).isEqualTo(1);
        assertThat(h.reloads("bird")).isEqualTo(1);
        try (var files = Files.list(h.birdFile("me").getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()).toList())
                    .containsExactly("bird.conf"); // no temp left
        }
    }

    @Test
    void aFailingCheckKeepsTheOldFileAndDoesNotReload() throws Exception {
        baseData();
        start("me", Duration.ofMillis(50), Duration.ofMillis(200));
        String before = read(h.birdFile("me"));
        String birdId = ConfdHarness.identity(h.birdFile("me"));
        // a link-local peer is a valid address, but BIRD refuses it without an interface: bird -p fails; the speaker
        // file (no check here) changes. (Values confd itself refuses never reach a check: see ConfdBadInputIT.)
        h.put(h.keys.bgpGlobalPeer("fe80::66"), "{\"ip\":\"fe80::66\",\"as_num\":\"65066\"}");
        waitUntil(
                WAIT,
                "speaker file with the peer",
                () -> read(h.speakerFile("me")).contains("fe80::66"));
        Thread.sleep(300);
        assertThat(read(h.birdFile("me"))).isEqualTo(before);
        assertThat(ConfdHarness.identity(h.birdFile("me"))).isEqualTo(birdId);
        assertThat(h.reloads("bird")).isEqualTo(1);
        try (var files = Files.list(h.birdFile("me").getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("bird.conf");
        }
        h.store.delete(h.keys.bgpGlobalPeer("fe80::66"));
        h.put(h.keys.bgpHostRrClusterId("me"), "224.0.0.1");
        waitUntil(
                WAIT,
                "bird file with a valid cluster id",
                () -> read(h.birdFile("me")).contains("rr cluster id 224.0.0.1;"));
        waitUntil(WAIT, "bird reload", () -> reloads("bird") == 2);
    }

    private int reloads(String which) {
        try {
            return h.reloads(which);
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void threeNodesRenderMutuallyConsistentConfigs() throws Exception {
        h.node("a", "10.0.0.3", "fd00::30");
        h.node("b", "10.0.0.10", "fd00::4");
        h.node("c", "10.0.0.9", "fd00::100");
        List<String> nodes = List.of("a", "b", "c");
        for (String n : nodes) {
            start(n, Duration.ofMillis(50), Duration.ofMillis(200));
        }
        Map<String, String> v4 = Map.of("a", "10.0.0.3", "b", "10.0.0.10", "c", "10.0.0.9");
        Map<String, String> v6 = Map.of("a", "fd00::30", "b", "fd00::4", "c", "fd00::100");
        for (String x : nodes) {
            for (String y : nodes) {
                if (x.compareTo(y) >= 0) {
                    continue;
                }
                for (Map<String, String> ips : List.of(v4, v6)) {
                    boolean xPassive = speakerPassive(x, ips.get(y));
                    boolean yPassive = speakerPassive(y, ips.get(x));
                    assertThat(xPassive ^ yPassive)
                            .as("speaker %s<->%s (%s): exactly one active side", x, y, ips.get(x))
                            .isTrue();
                    assertThat(birdPassive(x, ips.get(y))).isEqualTo(xPassive);
                    assertThat(birdPassive(y, ips.get(x))).isEqualTo(yPassive);
                }
            }
            CommandRunner.Result r = ProcessRunner.local().shell("bird -p -c " + h.birdFile(x), Duration.ofSeconds(20));
            assertThat(r.ok()).as(r.oneLine()).isTrue();
        }
        // numeric order: 10.0.0.9 (c) connects to 10.0.0.10 (b), which waits
        assertThat(speakerPassive("b", "10.0.0.9")).isTrue();
        assertThat(speakerPassive("c", "10.0.0.10")).isFalse();
    }

    private boolean speakerPassive(String node, String peer) throws Exception {
        JsonNode y = YAML.readTree(read(h.speakerFile(node)));
        for (JsonNode n : y.get("neighbors")) {
            if (n.get("address").asText().equals(peer)) {
                return n.get("passive").asBoolean();
            }
        }
        throw new AssertionError(node + " has no neighbour " + peer);
    }

    private boolean birdPassive(String node, String peer) {
        String conf = read(h.birdFile(node));
        Matcher m = Pattern.compile(
                        "protocol bgp Mesh_" + Pattern.quote(Helpers.underscores(peer)) + " from \\w+ \\{([^}]*)}")
                .matcher(conf);
        assertThat(m.find()).as(node + " BIRD protocol for " + peer).isTrue();
        return m.group(1).contains("passive on;");
    }

    @Test
    void onetimeExitCodes() throws Exception {
        baseData();
        String[] common = h.args("me");
        assertThat(Main.run(concat(common, "--onetime"))).isEqualTo(0);
        assertThat(read(h.speakerFile("me"))).contains("routerId: \"10.0.0.1\"");
        assertThat(read(h.birdFile("me"))).contains("router id 10.0.0.1;");
        assertThat(Main.run(concat(common, "--onetime"))).isEqualTo(0); // unchanged is success too
        assertThat(h.reloads("bird")).isEqualTo(1);

        h.put(h.keys.bgpGlobalPeer("fe80::66"), "{\"ip\":\"fe80::66\",\"as_num\":\"65066\"}"); // bird -p refuses it
        assertThat(Main.run(concat(common, "--onetime"))).isEqualTo(1);
        h.store.delete(h.keys.bgpGlobalPeer("fe80::66"));

        String[] other = {
            "--node",
            "nobody",
            "--confdir",
            h.confdir.toString(),
            "--dest-root",
            h.destRoot("x").toString(),
            "--etcd-endpoints",
            ConfdHarness.endpoints(),
            "--etcd-prefix",
            h.keys.root(),
            "--onetime"
        };
        assertThat(Main.run(other)).isEqualTo(1); // no ip_addr_v4 for this node
        assertThat(Main.run(
                        "--onetime",
                        "--node",
                        "me",
                        "--confdir",
                        tmp.resolve("nope").toString(),
                        "--etcd-endpoints",
                        ConfdHarness.endpoints()))
                .isEqualTo(2);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
