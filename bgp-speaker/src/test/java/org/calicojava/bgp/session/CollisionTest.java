package org.calicojava.bgp.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.calicojava.bgp.codec.BgpError;
import org.calicojava.bgp.codec.Capabilities;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Keepalive;
import org.calicojava.bgp.codec.Notification;
import org.calicojava.bgp.codec.Open;
import org.calicojava.bgp.yaml.SpeakerYamlLoader;
import org.calicojava.testing.Ports;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 4271 6.8, made deterministic: the scripted peer accepts our connection AND opens its own, then sends OPEN on
 * both. The connection initiated by the speaker with the higher BGP identifier survives; the other gets Cease / 7.
 */
class CollisionTest {
    static final Duration T = Duration.ofSeconds(20);

    @ParameterizedTest
    // our id is 10.0.0.10, our AS 65010; an equal id (eBGP, RFC 6286 2.3): the connection of the higher AS survives
    @CsvSource({
        "10.0.0.99, 65011, incoming",
        "10.0.0.1, 65011, outgoing",
        "10.0.0.10, 65011, incoming",
        "10.0.0.10, 65009, outgoing"
    })
    void theHigherIdentifiersConnectionSurvives(String theirId, long theirAs, String survivor) throws Exception {
        int n = 2 + ThreadLocalRandom.current().nextInt(250);
        String us = "127.3." + n + ".10", them = "127.3." + n + ".11";
        int port = Ports.free(0, 1);
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(them, port + 1));
            server.setSoTimeout(20_000);
            try (Speaker s = new Speaker(
                    SpeakerYamlLoader.parse("""
                    routerId: 10.0.0.10
                    asNumber: 65010
                    listen: {address: %s, port: %d}
                    neighbors:
                      - {address: %s, asNumber: %d, port: %d}
                    """.formatted(us, port, them, theirAs, port + 1))
                            .speaker(),
                    new AdjRibIn())) {
                s.start();
                try (ScriptedPeer ours = new ScriptedPeer(server.accept())) {
                    ours.readUntil(Open.class, T); // the speaker is in OpenSent on its own connection
                    try (ScriptedPeer theirs = new ScriptedPeer(them, us, port)) {
                        theirs.readUntil(Open.class, T); // and answers the second connection with an OPEN too
                        Open open = Open.of(
                                theirAs,
                                90,
                                Ip.v4Int(theirId),
                                new Capabilities(
                                        Set.of(Family.IPV4_UNICAST), theirAs, true, false, null, Map.of(), false));
                        ours.send(open);
                        theirs.send(open);
                        ScriptedPeer kept = survivor.equals("incoming") ? theirs : ours,
                                dropped = kept == ours ? theirs : ours;
                        assertThat(dropped.readUntil(Notification.class, T).error())
                                .isEqualTo(BgpError.of(6, 7));
                        assertThat(dropped.closedByPeer(T)).isTrue();
                        kept.readUntil(Keepalive.class, T);
                        kept.send(Keepalive.INSTANCE);
                        Peer p = s.peer(them);
                        Await.until(
                                "Established on the surviving connection",
                                T,
                                () -> p.state() == SessionState.ESTABLISHED,
                                p::toString);
                    }
                }
            }
        }
    }
    /** The peer resolves the collision its own way first (Cease / 7 on our connection): we carry on with its connection. */
    @org.junit.jupiter.api.Test
    void whenThePeerDropsOurConnectionWeContinueOnItsOne() throws Exception {
        int n = 2 + ThreadLocalRandom.current().nextInt(250);
        String us = "127.3." + n + ".10", them = "127.3." + n + ".11";
        int port = Ports.free(0, 1);
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(them, port + 1));
            server.setSoTimeout(20_000);
            try (Speaker s = new Speaker(
                    SpeakerYamlLoader.parse("""
                    routerId: 10.0.0.10
                    asNumber: 65010
                    listen: {address: %s, port: %d}
                    neighbors:
                      - {address: %s, asNumber: 65011, port: %d}
                    """.formatted(us, port, them, port + 1))
                            .speaker(),
                    new AdjRibIn())) {
                s.start();
                try (ScriptedPeer ours = new ScriptedPeer(server.accept())) {
                    ours.readUntil(Open.class, T);
                    try (ScriptedPeer theirs = new ScriptedPeer(them, us, port)) {
                        theirs.readUntil(Open.class, T);
                        ours.send(new Notification(BgpError.of(6, 7)));
                        ours.close();
                        theirs.send(Open.of(
                                65011,
                                90,
                                Ip.v4Int("10.0.0.99"),
                                new Capabilities(
                                        Set.of(Family.IPV4_UNICAST), 65011, true, false, null, Map.of(), false)));
                        theirs.readUntil(Keepalive.class, T);
                        theirs.send(Keepalive.INSTANCE);
                        Peer p = s.peer(them);
                        Await.until(
                                "Established on the peer's connection",
                                T,
                                () -> p.state() == SessionState.ESTABLISHED,
                                p::toString);
                    }
                }
            }
        }
    }
}
