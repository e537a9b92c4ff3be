package org.calicojava.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Node-to-node mesh off; every node peers over eBGP with a BIRD top-of-rack router; cross-host traffic via the ToR. */
class TorIT extends FabricCase {

    @Test
    void routesGoThroughTheTorAndTrafficFlows() {
        f = new Fabric(3, "--tor", "--backend", MeshIT.BACKEND);
        f.javactlOk("pool", "add", "10.67.0.0/16");
        f.javactlOk("profile", "add", "demo");
        String[] ips = f.addWorkloadOnEachHost("w", "demo");
        f.awaitSessions(1, Duration.ofMinutes(3));
        assertThat(f.nodeStatus(1)).contains("192.0.2.254").contains("global");
        f.awaitEveryHostReaches("w", ips, " via the ToR");
        // the other hosts' blocks are learned from the ToR, so they point at it
        assertThat(f.routes(1)).containsPattern("10\\.67\\.0\\.64/26 via 192\\.0\\.2\\.254 dev eth0");
        String torTable = Fabric.sh("ip", "-n", f.ns("tor"), "route").out();
        assertThat(torTable)
                .containsPattern("10\\.67\\.0\\.0/26 via 192\\.0\\.2\\.11")
                .containsPattern("10\\.67\\.0\\.128/26 via 192\\.0\\.2\\.13");
    }
}
