package org.calicojava.bgp.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.bgp.codec.AddPathMode;
import org.calicojava.bgp.codec.BgpError;
import org.calicojava.bgp.codec.Capabilities;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.GracefulRestart;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Open;
import org.calicojava.bgp.config.NeighborConfig;
import org.calicojava.bgp.config.SpeakerConfig;
import org.junit.jupiter.api.Test;

/** Pure negotiation and timer arithmetic. */
class NegotiationTest {
    static final SpeakerConfig SPEAKER =
            new SpeakerConfig(Ip.v4Int("10.0.0.1"), 65010, null, 0, 90, List.of(), List.of(), 5, 5, null, null);

    static NeighborConfig neighbor(int hold, AddPathMode addPath) {
        return new NeighborConfig(Ip.parse("10.0.0.2"), 179, 65011, false, null, hold, 0, addPath, -1, null, true);
    }

    static Open open(int hold, Set<Family> families, Map<Family, AddPathMode> addPath, long as4) {
        return Open.of(65011, hold, 2, new Capabilities(families, as4, true, true, null, addPath, true));
    }

    @Test
    void holdTimeIsTheSmallerAndKeepaliveAThird() {
        Negotiated n = Negotiation.negotiate(neighbor(90, null), SPEAKER, open(30, Set.of(), Map.of(), 65011), null);
        assertThat(n.holdTime()).isEqualTo(30);
        assertThat(n.keepaliveTime()).isEqualTo(10);
        assertThat(Negotiation.negotiate(neighbor(0, null), SPEAKER, open(30, Set.of(), Map.of(), 65011), null)
                        .holdTime())
                .isZero();
        assertThat(Negotiation.negotiate(neighbor(90, null), SPEAKER, open(0, Set.of(), Map.of(), 65011), null)
                        .keepaliveTime())
                .isZero();
        assertThat(Negotiation.negotiate(neighbor(3, null), SPEAKER, open(90, Set.of(), Map.of(), 65011), null)
                        .keepaliveTime())
                .isEqualTo(1);
    }

    @Test
    void noMultiprotocolCapabilityMeansIpv4Only() {
        Negotiated n = Negotiation.negotiate(neighbor(90, null), SPEAKER, open(90, Set.of(), Map.of(), -1), null);
        assertThat(n.families()).containsExactly(Family.IPV4_UNICAST);
        assertThat(n.codec().as4()).isFalse();
        assertThat(n.codec().extendedMessage()).isTrue();
    }

    @Test
    void addPathDirectionsFollowBothSides() {
        Map<Family, AddPathMode> theirs =
                Map.of(Family.IPV4_UNICAST, AddPathMode.SEND, Family.IPV6_UNICAST, AddPathMode.BOTH);
        Negotiated n = Negotiation.negotiate(
                neighbor(90, AddPathMode.BOTH),
                SPEAKER,
                open(90, Set.of(Family.IPV4_UNICAST, Family.IPV6_UNICAST), theirs, 65011),
                null);
        assertThat(n.codec().addPathReceive()).containsExactlyInAnyOrder(Family.IPV4_UNICAST, Family.IPV6_UNICAST);
        assertThat(n.codec().addPathSend()).containsExactly(Family.IPV6_UNICAST);
        Negotiated rxOnly = Negotiation.negotiate(
                neighbor(90, AddPathMode.RECEIVE),
                SPEAKER,
                open(90, Set.of(Family.IPV4_UNICAST), Map.of(Family.IPV4_UNICAST, AddPathMode.RECEIVE), 65011),
                null);
        assertThat(rxOnly.codec().addPathReceive()).isEmpty();
        assertThat(rxOnly.codec().addPathSend()).isEmpty();
    }

    @Test
    void ibgpWhenTheAsesMatch() {
        Open same = Open.of(65010, 90, 2, new Capabilities(Set.of(), 65010, false, false, null, Map.of(), false));
        assertThat(Negotiation.negotiate(neighbor(90, null), SPEAKER, same, null)
                        .codec()
                        .ibgp())
                .isTrue();
    }

    @Test
    void backoffDoublesUpToTwoMinutes() {
        assertThat(PeerTimers.backoff(5, 1)).isEqualTo(5);
        assertThat(PeerTimers.backoff(5, 2)).isEqualTo(10);
        assertThat(PeerTimers.backoff(5, 4)).isEqualTo(40);
        assertThat(PeerTimers.backoff(5, 10)).isEqualTo(120);
        assertThat(PeerTimers.backoff(1, 30)).isEqualTo(120);
    }

    @Test
    void refusedConnectsRetryAtTheBaseTimeOthersBackOff() {
        assertThat(PeerTimers.connectRetry(5, 10, true)).isEqualTo(5);
        assertThat(PeerTimers.connectRetry(5, 10, false)).isEqualTo(120);
        assertThat(PeerTimers.connectRetry(5, 2, false)).isEqualTo(10);
    }

    static NeighborConfig graceful(boolean notification) {
        return new NeighborConfig(Ip.parse("10.0.0.2"), 179, 65011, false, null, 90, 0, null, 120, null, notification);
    }

    static Open openWithGr(GracefulRestart gr) {
        return Open.of(65011, 90, 2, new Capabilities(Set.of(), 65011, true, true, gr, Map.of(), true));
    }

    /** RFC 8538: the N bit in our OPEN only when turned on, and negotiated only when both OPENs carry it. */
    @Test
    void theNotificationBitNeedsBothSides() {
        assertThat(Negotiation.localOpen(graceful(true), SPEAKER)
                        .capabilities()
                        .gracefulRestart()
                        .notification())
                .isTrue();
        assertThat(Negotiation.localOpen(graceful(false), SPEAKER)
                        .capabilities()
                        .gracefulRestart()
                        .notification())
                .isFalse();
        GracefulRestart withN = new GracefulRestart(false, true, 120, Map.of(Family.IPV4_UNICAST, true));
        GracefulRestart withoutN = new GracefulRestart(false, false, 120, Map.of(Family.IPV4_UNICAST, true));
        assertThat(Negotiation.negotiate(graceful(true), SPEAKER, openWithGr(withN), null)
                        .grNotification())
                .isTrue();
        assertThat(Negotiation.negotiate(graceful(true), SPEAKER, openWithGr(withoutN), null)
                        .grNotification())
                .isFalse();
        assertThat(Negotiation.negotiate(graceful(true), SPEAKER, openWithGr(null), null)
                        .grNotification())
                .isFalse();
        assertThat(Negotiation.negotiate(graceful(false), SPEAKER, openWithGr(withN), null)
                        .grNotification())
                .isFalse();
        assertThat(Negotiation.negotiate(neighbor(90, null), SPEAKER, openWithGr(withN), null)
                        .grNotification())
                .as("no graceful restart configured here")
                .isFalse();
    }

    /** RFC 8538 section 5: which Ceases go as Hard Reset; and what flushes the routes. */
    @Test
    void hardResetRules() {
        for (int sub : new int[] {1, 2, 3}) {
            assertThat(HardReset.required(BgpError.of(6, sub))).as("6/" + sub).isTrue();
        }
        for (int sub : new int[] {4, 5, 6, 7, 8, 9, 10}) {
            assertThat(HardReset.required(BgpError.of(6, sub))).as("6/" + sub).isFalse();
        }
        assertThat(HardReset.required(BgpError.of(4, 0))).isFalse();
        assertThat(HardReset.required(null)).isFalse();
        assertThat(HardReset.flushes(BgpError.of(4, 0), false)).isTrue();
        assertThat(HardReset.flushes(BgpError.of(4, 0), true)).isFalse();
        assertThat(HardReset.flushes(BgpError.of(6, 9), true)).isTrue();
        assertThat(HardReset.flushes(BgpError.of(6, 9), false)).isTrue();
        assertThat(HardReset.flushes(null, false)).isFalse();
    }
}
