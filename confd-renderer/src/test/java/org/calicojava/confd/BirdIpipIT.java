package org.calicojava.confd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped BIRD template's IP-in-IP routes against the real stock BIRD 2: three nodes in namespaces, n1 and n3 on
 * 192.0.2.0/24 (a bridge in the router namespace), n2 on 198.51.100.0/24 behind the router; each runs BIRD with the
 * config rendered for it (full mesh, multihop iBGP across the router) and announces its block. n1's kernel must get
 * {@code BLOCK via HOST dev tunl0 onlink} for IP-in-IP pools: always for both peers; cross-subnet only for n2 (n3's
 * block stays native, via n3 on the shared subnet). Kernels without IP-in-IP have no tunl0: a veth named tunl0
 * stands in (BIRD and the kernel route only need a device of that name).
 */
class BirdIpipIT {
    private final String id = UUID.randomUUID().toString().substring(0, 5);
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> birds = new ArrayList<>();

    @TempDir
    Path tmp;

    @AfterEach
    void tearDown() throws InterruptedException {
        for (Process p : birds) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            Sh.run("ip", "netns", "delete", namespaces.get(i));
        }
    }

    @Test
    void alwaysTunnelsEveryPeersBlock() throws Exception {
        String[] r = run("always");
        assertThat(r[0])
                .as(r[0])
                .containsPattern("10\\.65\\.2\\.0/26 via 198\\.51\\.100\\.2 dev tunl0 proto bird .*onlink");
        assertThat(r[0]).containsPattern("10\\.65\\.3\\.0/26 via 192\\.0\\.2\\.3 dev tunl0 proto bird .*onlink");
    }

    @Test
    void crossSubnetTunnelsOnlyAcrossTheRouter() throws Exception {
        String[] r = run("cross-subnet");
        assertThat(r[0])
                .as(r[0])
                .containsPattern("10\\.65\\.2\\.0/26 via 198\\.51\\.100\\.2 dev tunl0 proto bird .*onlink");
        assertThat(r[0])
                .containsPattern("10\\.65\\.3\\.0/26 via 192\\.0\\.2\\.3 dev eth0 proto bird")
                .doesNotContain("10.65.3.0/26 via 192.0.2.3 dev tunl0");
    }

    /** Builds the fabric, starts the BIRDs, returns n1's routes once both blocks are there. */
    private String[] run(String mode) throws Exception {
        String router = ns("r");
        Sh.ok("ip", "-n", router, "link", "add", "br0", "type", "bridge");
        Sh.ok("ip", "-n", router, "addr", "add", "192.0.2.254/24", "dev", "br0");
        Sh.ok("ip", "-n", router, "link", "set", "br0", "up");
        Sh.ok("ip", "netns", "exec", router, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        String[][] nodes = {{"n1", "192.0.2.1"}, {"n2", "198.51.100.2"}, {"n3", "192.0.2.3"}};
        Fixtures f = new Fixtures().globalAs("64512");
        f.kv.put(
                f.keys.pool(org.calicojava.model.Cidr.parse("10.65.0.0/16")),
                "{\"cidr\":\"10.65.0.0/16\",\"ipip\":true,\"ipip_mode\":\"" + mode + "\"}");
        for (int i = 0; i < nodes.length; i++) {
            f.node(nodes[i][0], nodes[i][1], null).block(nodes[i][0], "10.65." + (i + 1) + ".0/26");
        }
        for (int i = 0; i < nodes.length; i++) {
            String n = ns(nodes[i][0]);
            String rside = "r" + id + i;
            Sh.ok("ip", "-n", router, "link", "add", rside, "type", "veth", "peer", "name", "eth0", "netns", n);
            Sh.ok("ip", "-n", router, "link", "set", rside, "up");
            boolean b = nodes[i][1].startsWith("198.");
            if (b) {
                Sh.ok("ip", "-n", router, "addr", "add", "198.51.100.254/24", "dev", rside);
            } else {
                Sh.ok("ip", "-n", router, "link", "set", rside, "master", "br0");
            }
            Sh.ok("ip", "-n", n, "addr", "add", nodes[i][1] + "/24", "dev", "eth0");
            Sh.ok("ip", "-n", n, "link", "set", "eth0", "up");
            Sh.ok("ip", "-n", n, "link", "set", "lo", "up");
            Sh.ok("ip", "-n", n, "route", "add", "default", "via", b ? "198.51.100.254" : "192.0.2.254");
            if (Sh.run("ip", "-n", n, "link", "show", "tunl0").exit() != 0) {
                Sh.ok("ip", "-n", n, "link", "add", "tunl0", "type", "veth", "peer", "name", "tunl0-sb");
                Sh.ok("ip", "-n", n, "link", "set", "tunl0-sb", "up");
            }
            Sh.ok("ip", "-n", n, "link", "set", "tunl0", "up");
            String conf = ShippedTemplatesTest.render(f, nodes[i][0], "bird.conf.mustache");
            Path file = tmp.resolve(nodes[i][0] + ".conf");
            Files.writeString(file, conf);
            birds.add(new ProcessBuilder(
                            "ip",
                            "netns",
                            "exec",
                            n,
                            "bird",
                            "-f",
                            "-c",
                            file.toString(),
                            "-s",
                            tmp.resolve(nodes[i][0] + ".ctl").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(tmp.resolve(nodes[i][0] + ".log").toFile())
                    .start());
        }
        String n1 = namespaces.get(1);
        Sh.waitFor(60, () -> routes(n1).contains("10.65.2.0/26") && routes(n1).contains("10.65.3.0/26"));
        return new String[] {routes(n1) + "\n--- bird log:\n" + log("n1")};
    }

    private String log(String node) {
        try {
            return Files.readString(tmp.resolve(node + ".log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String routes(String ns) {
        return Sh.ok("ip", "-n", ns, "route", "show");
    }

    private String ns(String name) {
        String n = "cb-" + id + "-" + name;
        Sh.ok("ip", "netns", "add", n);
        namespaces.add(n);
        return n;
    }
}
