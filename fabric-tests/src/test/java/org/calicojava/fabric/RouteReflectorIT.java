package org.calicojava.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Mesh off; h1 is a route reflector (cluster id), h2 and h3 its clients: every route reaches everyone. */
class RouteReflectorIT extends FabricCase {

    @Test
    void clientsLearnEachOthersRoutesThroughTheReflector() {
        f = new Fabric(3, "--backend", MeshIT.BACKEND);
        f.javactlOk("bgp", "node-mesh", "off");
        f.javactlOk("node", "h1", "bgp", "rr-cluster-id", "224.0.0.1");
        for (int h = 2; h <= 3; h++) {
            f.javactlOk("node", "h" + h, "bgp", "peer", "add", "192.0.2.11", "as", "64512");
            f.javactlOk("node", "h1", "bgp", "peer", "add", "192.0.2.1" + h, "as", "64512");
        }
        f.javactlOk("pool", "add", "10.68.0.0/16");
        f.javactlOk("profile", "add", "demo");
        String[] ips = f.addWorkloadOnEachHost("w", "demo");
        Fabric.eventually(
                Duration.ofMinutes(3),
                "h1 has its two clients",
                () -> f.nodeStatus(1)
                                .lines()
                                .filter(l -> l.matches("\\|.*node specific.*\\| (up|Established) .*"))
                                .count()
                        == 2);
        f.awaitEveryHostReaches("w", ips, "");
        // h2 learned h3's block from the reflector (BIRD's template sets next hop self; RFC 4456 would keep h3)
        // (the workload's /32 can arrive before the block: pings pass on it, so wait for the block too)
        Fabric.eventually(
                Duration.ofSeconds(60),
                "h2 has h3's block 10.68.0.128/26 via h1 or h3",
                () -> f.routes(2).matches("(?s).*10\\.68\\.0\\.128/26 via 192\\.0\\.2\\.1[13] dev eth0.*"));
        assertThat(f.nodeStatus(2)).contains("192.0.2.11").doesNotContain("192.0.2.13 ");
    }
}
