package org.calicojava.bgp.session;

import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.config.SpeakerConfig;
import org.calicojava.bgp.yaml.SpeakerYamlLoader;

/** The session tests' speaker on embedded channels: its config, and channels with a TCP connection's addresses. */
final class EmbeddedSpeaker {
    private EmbeddedSpeaker() {}

    /**
     * A speaker's config as the embedded-channel tests use it: router id 10.0.0.1, AS 65010, hold time 90, listening on
     * 127.0.0.1:179, with {@code neighbors} (YAML flow maps, e.g. {@code {address: 127.0.0.2, asNumber: 65011, passive:
     * true}}).
     */
    static SpeakerConfig config(String... neighbors) {
        StringBuilder yaml = new StringBuilder("""
                routerId: 10.0.0.1
                asNumber: 65010
                holdTime: 90
                listen: {address: 127.0.0.1, port: 179}
                neighbors:
                """);
        for (String n : neighbors) {
            yaml.append("  - ").append(n).append('\n');
        }
        return SpeakerYamlLoader.parse(yaml.toString()).speaker();
    }

    /** A connection from {@code remote}:{@code remotePort} to 127.0.0.1:179. */
    static EmbeddedChannel channel(InetAddress remote, int remotePort) {
        return new EmbeddedChannel() {
            @Override
            protected SocketAddress localAddress0() {
                return new InetSocketAddress(Ip.parse("127.0.0.1"), 179);
            }

            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress(remote, remotePort);
            }
        };
    }
}
