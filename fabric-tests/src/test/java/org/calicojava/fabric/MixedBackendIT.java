package org.calicojava.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Full mesh with BIRD (the rendered BIRD config) on h3 and the built-in speaker on h1 and h2: they interoperate. */
class MixedBackendIT extends FabricCase {

    @Test
    void birdAndTheJavaSpeakerMeshTogether() {
        f = new Fabric(3, "--backend", "java", "--backend-of", "3", "bird");
        f.javactlOk("pool", "add", "10.69.0.0/16");
        f.javactlOk("profile", "add", "demo");
        String[] ips = f.addWorkloadOnEachHost("w", "demo");
        f.awaitSessions(2, Duration.ofMinutes(3));
        f.awaitEveryHostReaches("w", ips, "");
        assertThat(f.routes(3)).containsPattern("10\\.69\\.0\\.0/26 via 192\\.0\\.2\\.11 dev eth0 proto bird");
        assertThat(f.routes(1)).containsPattern("10\\.69\\.0\\.128/26 via 192\\.0\\.2\\.13 dev eth0");
    }
}
