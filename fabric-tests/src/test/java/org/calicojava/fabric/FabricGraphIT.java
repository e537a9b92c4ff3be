package org.calicojava.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * javactl graph of a live fabric: three hosts peering with a BIRD ToR (global peer, mesh off), h1 marked a route
 * reflector with h2 as its client. Every node, the ToR and each session is drawn, and the states come from what each
 * node run published to etcd: every session ends up Established at both ends; Graphviz's dot parses the output.
 */
class FabricGraphIT extends FabricCase {
    private static final Pattern SESSION = Pattern.compile(
            "(?m)^  (n\\d+|x\\d+) -- (n\\d+|x\\d+) \\[color=\"(#[0-9a-f]{6})\".*label=\"([^\"]*)\"\\];$");

    @Test
    void everyNodeAndSessionWithTheStateTheNodesPublished() {
        f = new Fabric(3, "--tor", "--backend", MeshIT.BACKEND);
        f.javactlOk("node", "h1", "bgp", "rr-cluster-id", "224.0.0.1");
        f.javactlOk("node", "h2", "bgp", "peer", "add", "192.0.2.11", "as", "65001");
        f.javactlOk("node", "h1", "bgp", "peer", "add", "192.0.2.12", "as", "65002");
        f.javactlOk("pool", "add", "10.69.0.0/16");
        f.javactlOk("profile", "add", "demo");
        f.addWorkload(2, "w", "demo");
        String[] last = {""};
        Fabric.eventually(Duration.ofMinutes(3), "graph shows 4 sessions, all Established at every end", () -> {
            last[0] = f.javactlOk("graph");
            Matcher m = SESSION.matcher(last[0]);
            int n = 0;
            boolean allUp = true;
            while (m.find()) {
                n++;
                allUp &= m.group(3).equals("#2e7d32") && !m.group(4).contains("unknown");
            }
            return n == 4 && allUp;
        });
        String dot = last[0];
        assertThat(dot)
                .contains("node h1")
                .contains("node h2")
                .contains("node h3")
                .contains("192.0.2.254\\nAS 65000")
                .contains("route reflector, cluster 224.0.0.1")
                .contains("profile demo")
                .contains("node peer\\nh1: Established\\nh2: Established")
                .contains("global peer\\nh3: Established")
                .contains("mesh off");
        Fabric.Result parsed = Fabric.sh("bash", "-c", "printf '%s' \"$0\" | dot -Tcanon >/dev/null", dot);
        assertThat(parsed.ok()).as(parsed.out()).isTrue();
    }
}
