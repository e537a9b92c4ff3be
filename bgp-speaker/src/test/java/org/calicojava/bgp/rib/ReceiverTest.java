package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.calicojava.bgp.codec.CodecOptions;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.MessageDecoder;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.codec.Update;
import org.calicojava.bgp.metrics.Metrics;
import org.calicojava.bgp.session.Negotiated;
import org.calicojava.bgp.yaml.SpeakerFile;
import org.calicojava.bgp.yaml.SpeakerYamlLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * UPDATE bytes from an iBGP peer, decoded as the session decodes them, into a real {@link Rib} through its
 * {@link Receiver} on the RIB thread (no sockets): families the session did not negotiate, End-of-RIB, and the next hop
 * of IPv4 routes carried in MP_REACH_NLRI.
 */
class ReceiverTest {
    static final String MARKER = "ffffffffffffffffffffffffffffffff";
    static final CodecOptions IBGP = CodecOptions.AS4.withIbgp(true);

    /** IPv4 10.20.0.0/24 in the NLRI field via NEXT_HOP 10.0.0.9. */
    static final String V4 = MARKER + """
            0030 02 0000 0015                # length 48, UPDATE, no withdrawn, 21 bytes of attributes
            40 01 01 00                      # ORIGIN IGP
            40 02 00                         # AS_PATH empty
            40 03 04 0a000009                # NEXT_HOP 10.0.0.9
            40 05 04 00000064                # LOCAL_PREF 100
            18 0a1400                        # NLRI 10.20.0.0/24
            """;

    /** IPv6 2001:db8:14::/48 in MP_REACH_NLRI via 2001:db8::9. */
    static final String V6 = MARKER + """
            0044 02 0000 002d                # length 68, UPDATE, no withdrawn, 45 bytes of attributes
            40 01 01 00                      # ORIGIN IGP
            40 02 00                         # AS_PATH empty
            40 05 04 00000064                # LOCAL_PREF 100
            80 0e 1c 0002 01                 # MP_REACH_NLRI, 28 bytes: IPv6 unicast
            10 20010db8000000000000000000000009 00   # next hop 2001:db8::9, reserved
            30 20010db80014                  # 2001:db8:14::/48
            """;

    SpeakerFile file;
    Rib rib;
    Receiver receiver;
    final MessageDecoder decoder = new MessageDecoder();

    @BeforeEach
    void rib() {
        file = SpeakerYamlLoader.parse("""
                routerId: 10.0.0.1
                asNumber: 65010
                neighbors:
                  - {address: 10.0.0.2, asNumber: 65010}
                """);
        rib = new Rib(file.speaker(), file.routing(), new Metrics());
        receiver = new Receiver(rib);
    }

    @AfterEach
    void close() {
        rib.close();
    }

    /** The RIB's view of the iBGP peer 10.0.0.2 after an OPEN exchange that agreed on {@code families}. */
    PeerInfo peer(Set<Family> families) {
        PeerInfo pi = new PeerInfo(Ip.parse("10.0.0.2"));
        pi.configure(file.routing().neighbor(pi.address), file.routing());
        pi.ibgp = true;
        pi.negotiated = new Negotiated(90, 30, families, IBGP, null, Ip.parse("10.0.0.1"), true, false, false);
        return pi;
    }

    void receive(PeerInfo pi, String vector) {
        Update u = (Update) decoder.decode(Unpooled.wrappedBuffer(bytes(vector)), IBGP);
        rib.call(() -> {
            receiver.receive(pi, u);
            return null;
        });
    }

    static byte[] bytes(String text) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n")) {
            int c = line.indexOf('#');
            sb.append((c < 0 ? line : line.substring(0, c)).replaceAll("\\s", ""));
        }
        return HexFormat.of().parseHex(sb.toString());
    }

    @Test
    void routesOfAFamilyNotNegotiatedAreIgnored() {
        PeerInfo v4Only = peer(Set.of(Family.IPV4_UNICAST)); // also what a peer without MP capability gets
        receive(v4Only, V6);
        receive(v4Only, V4);
        assertThat(rib.best(Prefix.parse("2001:db8:14::/48"))).isNull();
        assertThat(rib.best(Prefix.parse("10.20.0.0/24"))).isNotNull();
        assertThat(v4Only.notNegotiated).isEqualTo(1);

        PeerInfo v6Only = peer(Set.of(Family.IPV6_UNICAST));
        receive(v6Only, MARKER + "0017 02 0000 0000   # IPv4 End-of-RIB, ignored too");
        receive(v6Only, V4.replace("0a1400", "0a1500")); // 10.21.0.0/24 in the NLRI field
        receive(v6Only, V6);
        assertThat(rib.best(Prefix.parse("10.21.0.0/24"))).isNull();
        assertThat(rib.best(Prefix.parse("2001:db8:14::/48"))).isNotNull();
        assertThat(v6Only.notNegotiated).isEqualTo(1);
    }

    @Test
    void anUnknownFamilysMpUnreachIsNoEndOfRib() {
        PeerInfo pi = peer(Set.of(Family.IPV4_UNICAST));
        AtomicBoolean converged = new AtomicBoolean();
        rib.call(() -> {
            rib.convergence.onConverged(() -> converged.set(true));
            return null;
        });
        receive(pi, MARKER + """
                001d 02 0000 0006                # length 29, UPDATE, no withdrawn, 6 bytes of attributes
                80 0f 03 0001 02                 # MP_UNREACH_NLRI AFI 1 SAFI 2 (multicast), no prefixes
                """);
        assertThat(converged).isFalse();
        receive(pi, MARKER + "0017 02 0000 0000   # IPv4 End-of-RIB");
        assertThat(converged).isTrue();
    }

    @Test
    void ipv4RoutesInMpReachGoViaItsNextHopNotNextHop() {
        PeerInfo pi = peer(Set.of(Family.IPV4_UNICAST));
        receive(pi, MARKER + """
                0035 02 0000 001e                # length 53, UPDATE, no withdrawn, 30 bytes of attributes
                40 01 01 00                      # ORIGIN IGP
                40 02 00                         # AS_PATH empty
                40 03 04 0a000009                # NEXT_HOP 10.0.0.9: not the next hop of MP_REACH's routes
                80 0e 0d 0001 01 04 0a000007 00  # MP_REACH_NLRI (13 bytes) IPv4 unicast, next hop 10.0.0.7
                18 0a1600                        #   10.22.0.0/24
                """);
        Prefix p = Prefix.parse("10.22.0.0/24");
        Path best = rib.best(p);
        assertThat(best).isNotNull();
        assertThat(KernelExport.nextHop(p, best)).isEqualTo(Ip.parse("10.0.0.7"));
    }
}
