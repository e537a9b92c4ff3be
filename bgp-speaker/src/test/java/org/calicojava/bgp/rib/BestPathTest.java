package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import org.calicojava.bgp.codec.AsPath;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.policy.RouteSource;
import org.junit.jupiter.api.Test;

/** Each step of RFC 4271 9.1.2.2 (+ RFC 4456) decides on its own: the better path wins and the reason names the step. */
class BestPathTest {
    final BestPath bp = new BestPath(false);

    static PeerInfo peer(String address, boolean ibgp, String routerId) {
        PeerInfo p = new PeerInfo(Ip.parse(address));
        p.ibgp = ibgp;
        p.routerId = Ip.v4Int(routerId);
        return p;
    }

    static PathAttributes.Builder base() {
        return PathAttributes.builder()
                .origin(PathAttributes.ORIGIN_IGP)
                .asPath(AsPath.sequence(65001))
                .nextHop("192.0.2.1");
    }

    static Path path(PeerInfo from, PathAttributes a) {
        return new Path(from, from == null ? RouteSource.STATIC : RouteSource.BGP, 0, a, a, null, false);
    }

    final PeerInfo ibgp1 = peer("10.0.0.1", true, "1.1.1.1"),
            ibgp2 = peer("10.0.0.2", true, "2.2.2.2"),
            ebgp = peer("10.0.0.3", false, "3.3.3.3");

    void wins(Path better, Path worse, String reason) {
        assertThat(bp.compare(better, worse)).as(reason).isNegative();
        assertThat(bp.compare(worse, better)).as(reason).isPositive();
        assertThat(bp.reason(better, worse)).isEqualTo(reason);
        assertThat(bp.select(new Path[] {worse, better})).isSameAs(better);
    }

    @Test
    void higherLocalPreference() {
        wins(
                path(ibgp2, base().localPref(200).build()),
                path(ibgp1, base().localPref(100).build()),
                "higher local preference");
        wins(
                path(ibgp2, base().build()),
                path(ibgp1, base().localPref(99).build()),
                "higher local preference"); // absent = 100
    }

    @Test
    void locallyOriginated() {
        wins(
                path(
                        null,
                        PathAttributes.builder().origin(2).asPath(AsPath.EMPTY).build()),
                path(ebgp, base().asPath(AsPath.EMPTY).origin(0).build()),
                "locally originated");
    }

    @Test
    void shorterAsPath() {
        wins(
                path(ibgp2, base().build()),
                path(ibgp1, base().asPath(AsPath.sequence(65001, 65002)).build()),
                "shorter AS path");
    }

    @Test
    void lowerOrigin() {
        wins(path(ibgp2, base().origin(1).build()), path(ibgp1, base().origin(2).build()), "lower origin");
    }

    @Test
    void lowerMedOnlyFromTheSameNeighbourAs() {
        wins(path(ibgp2, base().med(5).build()), path(ibgp1, base().med(10).build()), "lower MED");
        Path a = path(ibgp2, base().med(5).build()),
                b = path(ibgp1, base().asPath(AsPath.sequence(65009)).med(10).build());
        assertThat(bp.reason(b, a)).isEqualTo("lower router id"); // different neighbour AS: MED skipped
        assertThat(new BestPath(true).reason(a, b)).isEqualTo("lower MED"); // always-compare-med
    }

    @Test
    void ebgpOverIbgp() {
        wins(path(ebgp, base().build()), path(ibgp1, base().build()), "eBGP over iBGP");
    }

    @Test
    void lowerRouterIdOrOriginatorId() {
        wins(path(ibgp1, base().build()), path(ibgp2, base().build()), "lower router id");
        wins(
                path(
                        ibgp2,
                        base().originatorId(Ip.v4Int("0.0.0.9") & 0xffffffffL).build()),
                path(ibgp1, base().build()),
                "lower router id");
    }

    @Test
    void shorterClusterList() {
        long orig = Ip.v4Int("9.9.9.9") & 0xffffffffL;
        wins(
                path(ibgp2, base().originatorId(orig).clusterList(1).build()),
                path(ibgp1, base().originatorId(orig).clusterList(1, 2).build()),
                "shorter cluster list");
    }

    @Test
    void lowerPeerAddress() {
        PeerInfo same1 = peer("10.0.0.200", true, "5.5.5.5"), same2 = peer("10.0.0.7", true, "5.5.5.5");
        wins(path(same2, base().build()), path(same1, base().build()), "lower peer address");
    }

    @Test
    void multipathTiesUpToTheRouterId() {
        assertThat(bp.equalForMultipath(path(ibgp1, base().build()), path(ibgp2, base().build())))
                .isTrue();
        assertThat(bp.equalForMultipath(path(ibgp1, base().build()), path(ebgp, base().build())))
                .isFalse();
    }

    // ---- gaps filled for issue 5: every step both ways, its edge cases, and the order of the steps ----

    void winsWith(BestPath b, Path better, Path worse, String reason) {
        assertThat(b.compare(better, worse)).as(reason).isNegative();
        assertThat(b.compare(worse, better)).as(reason).isPositive();
        assertThat(b.reason(better, worse)).isEqualTo(reason);
    }

    @Test
    void lowerOriginEveryPair() {
        wins(
                path(ibgp2, base().origin(PathAttributes.ORIGIN_IGP).build()),
                path(ibgp1, base().origin(1).build()),
                "lower origin");
        wins(
                path(ibgp2, base().origin(PathAttributes.ORIGIN_IGP).build()),
                path(ibgp1, base().origin(PathAttributes.ORIGIN_INCOMPLETE).build()),
                "lower origin");
    }

    @Test
    void asSetCountsAsOneAndConfederationSegmentsNotAtAll() {
        // 65001 {65002 65003 65004}: length 2 (RFC 4271 9.1.2.2 a) beats a sequence of three
        AsPath withSet = AsPath.of(AsPath.AS_SEQUENCE, 1, 65001, AsPath.AS_SET, 3, 65002, 65003, 65004);
        wins(
                path(ibgp2, base().asPath(withSet).build()),
                path(ibgp1, base().asPath(AsPath.sequence(65001, 65002, 65003)).build()),
                "shorter AS path");
        // (64600 64601) 65001: the confederation sequence does not count (RFC 5065), so it ties with 65001 and the
        // router id decides
        AsPath confed = AsPath.of(AsPath.AS_CONFED_SEQUENCE, 2, 64600, 64601, AsPath.AS_SEQUENCE, 1, 65001);
        assertThat(bp.reason(
                        path(ibgp1, base().build()),
                        path(ibgp2, base().asPath(confed).build())))
                .isEqualTo("lower router id");
    }

    @Test
    void missingMedCountsAsZero() {
        wins(path(ibgp2, base().build()), path(ibgp1, base().med(5).build()), "lower MED");
    }

    @Test
    void alwaysCompareMedBothWays() {
        BestPath acm = new BestPath(true);
        Path low = path(ibgp2, base().asPath(AsPath.sequence(65009)).med(5).build()),
                high = path(ibgp1, base().med(10).build());
        winsWith(acm, low, high, "lower MED");
        // without the option the MEDs of different neighbouring ASes are not compared: the lower router id (ibgp1) wins
        winsWith(bp, high, low, "lower router id");
    }

    @Test
    void medIsComparedOnlyAfterTheEarlierSteps() {
        // a lower MED does not beat a higher local preference, a shorter AS path or a lower origin
        wins(
                path(ibgp1, base().localPref(200).med(50).build()),
                path(ibgp2, base().med(1).build()),
                "higher local preference");
        wins(
                path(ibgp1, base().med(50).build()),
                path(ibgp2, base().asPath(AsPath.sequence(65001, 65001)).med(1).build()),
                "shorter AS path");
        wins(
                path(ibgp1, base().origin(0).med(50).build()),
                path(ibgp2, base().origin(2).med(1).build()),
                "lower origin");
    }

    @Test
    void eachStepOutranksTheLaterOnes() {
        // the worse path on one step is better on every later step, and still loses
        PeerInfo lowId = peer("10.0.0.1", false, "0.0.0.1");
        wins(
                path(
                        ibgp2,
                        base().localPref(101)
                                .asPath(AsPath.sequence(1, 2, 3))
                                .origin(2)
                                .med(99)
                                .build()),
                path(lowId, base().asPath(AsPath.sequence(1)).origin(0).build()),
                "higher local preference");
        wins(
                path(
                        null,
                        PathAttributes.builder()
                                .origin(2)
                                .asPath(AsPath.EMPTY)
                                .med(99)
                                .build()),
                path(lowId, base().asPath(AsPath.EMPTY).origin(0).build()),
                "locally originated");
        wins(
                path(ibgp2, base().origin(2).build()),
                path(
                        lowId,
                        base().asPath(AsPath.sequence(65001, 65002)).origin(0).build()),
                "shorter AS path");
        wins(
                path(ibgp2, base().origin(0).med(99).build()),
                path(lowId, base().origin(1).build()),
                "lower origin");
        wins(
                path(ibgp2, base().asPath(AsPath.sequence(65001)).med(1).build()),
                path(peer("10.0.0.4", false, "0.0.0.1"), base().med(2).build()),
                "lower MED");
        wins(
                path(peer("10.0.0.9", false, "9.9.9.9"), base().build()),
                path(peer("10.0.0.1", true, "0.0.0.1"), base().build()),
                "eBGP over iBGP");
    }

    @Test
    void originatorIdReplacesThePeersRouterId() {
        // the path from the peer with the lower router id loses when its ORIGINATOR_ID is higher than the other's
        // router id
        Path reflected = path(
                ibgp1, base().originatorId(Ip.v4Int("200.0.0.1") & 0xffffffffL).build());
        Path direct = path(ibgp2, base().build());
        wins(direct, reflected, "lower router id");
        // router ids are compared unsigned: 200.0.0.1 is higher than 2.2.2.2
        wins(
                path(
                        ibgp1,
                        base().originatorId(Ip.v4Int("2.2.2.1") & 0xffffffffL).build()),
                path(
                        ibgp2,
                        base().originatorId(Ip.v4Int("200.0.0.1") & 0xffffffffL).build()),
                "lower router id");
    }

    @Test
    void clusterListLengthOnlyAfterTheRouterId() {
        long orig = Ip.v4Int("9.9.9.9") & 0xffffffffL;
        // no CLUSTER_LIST counts as length 0
        wins(
                path(ibgp2, base().originatorId(orig).build()),
                path(ibgp1, base().originatorId(orig).clusterList(7).build()),
                "shorter cluster list");
        // a longer cluster list still wins on a lower ORIGINATOR_ID
        wins(
                path(ibgp1, base().originatorId(orig - 1).clusterList(1, 2, 3).build()),
                path(ibgp2, base().originatorId(orig).build()),
                "lower router id");
    }

    @Test
    void lowerPeerAddressComparesUnsignedAndIpv6() {
        PeerInfo hi = peer("200.0.0.1", true, "5.5.5.5"), lo = peer("10.0.0.1", true, "5.5.5.5");
        wins(path(lo, base().build()), path(hi, base().build()), "lower peer address");
        PeerInfo v6lo = peer("fd00::1", true, "5.5.5.5"), v6hi = peer("fd00::1:0", true, "5.5.5.5");
        wins(path(v6lo, base().build()), path(v6hi, base().build()), "lower peer address");
    }

    @Test
    void multipathRequiresEqualityOnEveryStepBeforeTheRouterId() {
        Path a = path(ibgp1, base().build());
        assertThat(bp.equalForMultipath(a, path(ibgp2, base().localPref(101).build())))
                .as("local pref")
                .isFalse();
        assertThat(bp.equalForMultipath(
                        a,
                        path(ibgp2, base().asPath(AsPath.sequence(65001, 65001)).build())))
                .as("AS path length")
                .isFalse();
        assertThat(bp.equalForMultipath(a, path(ibgp2, base().origin(2).build())))
                .as("origin")
                .isFalse();
        assertThat(bp.equalForMultipath(a, path(ibgp2, base().med(1).build())))
                .as("MED")
                .isFalse();
        assertThat(bp.equalForMultipath(path(null, base().build()), path(ibgp2, base().build())))
                .as("local vs learned")
                .isFalse();
        // equal up to the router id: different router ids, cluster lists, peer addresses and AS path contents still tie
        assertThat(bp.equalForMultipath(
                        a,
                        path(
                                ibgp2,
                                base().asPath(AsPath.sequence(65009))
                                        .originatorId(7)
                                        .clusterList(1, 2)
                                        .build())))
                .isTrue();
        assertThat(bp.equalForMultipath(
                        path(ebgp, base().build()),
                        path(
                                peer("10.0.0.4", false, "4.4.4.4"),
                                base().asPath(AsPath.sequence(65002)).build())))
                .isTrue();
    }

    @Test
    void rejectedPathsAreNotCandidates() {
        Path rejected = path(ibgp1, base().localPref(500).build()).withAttrs(null);
        Path ok = path(ibgp2, base().build());
        assertThat(bp.select(new Path[] {rejected, ok})).isSameAs(ok);
    }
}
