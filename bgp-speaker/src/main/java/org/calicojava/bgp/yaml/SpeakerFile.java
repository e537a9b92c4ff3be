package org.calicojava.bgp.yaml;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import org.calicojava.bgp.bfd.BfdSettings;
import org.calicojava.bgp.config.SpeakerConfig;
import org.calicojava.bgp.rib.RoutingConfig;

/**
 * What the speaker's one YAML file configures, read by {@link SpeakerYamlLoader}.
 *
 * @param speaker the sessions (speaker identity, listen address, neighbours, originated prefixes)
 * @param routing policies, route reflection, kernel, control socket and metrics
 * @param bfd     neighbour address to its BFD settings, for the neighbours that have BFD on
 */
public record SpeakerFile(SpeakerConfig speaker, RoutingConfig routing, Map<InetAddress, BfdSettings> bfd) {
    public SpeakerFile {
        bfd = Map.copyOf(bfd);
    }

    /** With the control socket at {@code path} (the command line's {@code --control-socket} over the file's). */
    public SpeakerFile withControlSocket(Path path) {
        return new SpeakerFile(speaker, routing.withControlSocket(path), bfd);
    }
}
