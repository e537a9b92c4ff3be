package org.calicojava.bgp.rib;

import java.util.List;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.config.SpeakerConfig;
import org.calicojava.bgp.metrics.Metrics;
import org.calicojava.bgp.session.Peer;
import org.calicojava.bgp.session.SessionState;
import org.calicojava.bgp.session.Speaker;
import org.calicojava.bgp.yaml.SpeakerYamlLoader;

/** One speaker with its RIB on a 127.0.0.x address (kernel off), built from the YAML config like bin/bgp-speaker. */
public final class Node implements AutoCloseable {
    public final String address;
    public final Rib rib;
    public final Metrics metrics = new Metrics();
    public final Speaker speaker;
    final int port;

    public Node(String address, int port, String yaml) {
        this.address = address;
        this.port = port;
        SpeakerConfig sc = SpeakerYamlLoader.parse(yaml).speaker();
        rib = new Rib(sc, SpeakerYamlLoader.parse(yaml).routing(), metrics);
        speaker = new Speaker(sc, rib);
        rib.attach(speaker, null);
        speaker.start();
    }

    /** YAML for a node: {@code neighbors} are flow mappings without the port (added here). */
    public static String yaml(String self, long as, int port, List<String> neighbors, String extra) {
        StringBuilder n = new StringBuilder();
        for (String x : neighbors) {
            n.append("  - ")
                    .append(x, 0, x.lastIndexOf('}'))
                    .append(", port: ")
                    .append(port)
                    .append("}\n");
        }
        return """
                routerId: %s
                asNumber: %d
                listen: {address: %s, port: %d}
                holdTime: 30
                connectRetryTime: 1
                idleHoldTime: 1
                neighbors:
                %s
                %s
                """.formatted(self, as, self, port, n.toString().stripTrailing(), extra);
    }

    public void reload(String yaml) {
        SpeakerConfig sc = SpeakerYamlLoader.parse(yaml).speaker();
        speaker.reconfigure(sc);
        rib.reconfigure(sc, SpeakerYamlLoader.parse(yaml).routing());
    }

    Path best(String prefix) {
        return rib.best(Prefix.parse(prefix));
    }

    List<Path> paths(String prefix) {
        return rib.paths(Prefix.parse(prefix));
    }

    public boolean up(String peer) {
        Peer p = speaker.peer(peer);
        return p != null && p.state() == SessionState.ESTABLISHED;
    }

    @Override
    public void close() {
        speaker.close();
        rib.close();
    }
}
