package org.calicojava.bgp.rib;

import org.calicojava.bgp.codec.AsPath;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.policy.RouteSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

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
        return PathAttributes.builder().origin(PathAttributes.ORIGIN_IGP).asPath(AsPath.sequence(65001)).nextHop("192.0.2.1");
    }

    static Path path(PeerInfo from, PathAttributes a) {
        return new Path(from, from == null ? RouteSource.STATIC : RouteSource.BGP, 0, a, a, null, false);
    }

    final PeerInfo ibgp1 = peer("10.0.0.1", true, "1.1.1.1"), ibgp2 = peer("10.0.0.2", true, "2.2.2.2"),
            ebgp = peer("10.0.0.3", false, "3.3.3.3");

    void wins(Path better, Path worse, String reason) {
        assertThat(bp.compare(better, worse)).as(reason).isNegative();
        assertThat(bp.compare(worse, better)).as(reason).isPositive();
        assertThat(bp.reason(better, worse)).isEqualTo(reason);
        assertThat(bp.select(new Path[] {worse, better})).isSameAs(better);
    }

    @Test void higherLocalPreference() {
        wins(path(ibgp2, base().localPref(200).build()), path(ibgp1, base().localPref(100).build()), "higher local preference");
        wins(path(ibgp2, base().build()), path(ibgp1, base().localPref(99).build()), "higher local preference");  // absent = 100
    }

    @Test void locallyOriginated() {
        wins(path(null, PathAttributes.builder().origin(2).asPath(AsPath.EMPTY).build()), path(ebgp, base().asPath(AsPath.EMPTY).origin(0).build()), "locally originated");
    }

    @Test void shorterAsPath() {
        wins(path(ibgp2, base().build()), path(ibgp1, base().asPath(AsPath.sequence(65001, 65002)).build()), "shorter AS path");
    }

    @Test void lowerOrigin() {
        wins(path(ibgp2, base().origin(1).build()), path(ibgp1, base().origin(2).build()), "lower origin");
    }

    @Test void lowerMedOnlyFromTheSameNeighbourAs() {
        wins(path(ibgp2, base().med(5).build()), path(ibgp1, base().med(10).build()), "lower MED");
        Path a = path(ibgp2, base().med(5).build()), b = path(ibgp1, base().asPath(AsPath.sequence(65009)).med(10).build());
        assertThat(bp.reason(b, a)).isEqualTo("lower router id");  // different neighbour AS: MED skipped
        assertThat(new BestPath(true).reason(a, b)).isEqualTo("lower MED");  // always-compare-med
    }

    @Test void ebgpOverIbgp() {
        wins(path(ebgp, base().build()), path(ibgp1, base().build()), "eBGP over iBGP");
    }

    @Test void lowerRouterIdOrOriginatorId() {
        wins(path(ibgp1, base().build()), path(ibgp2, base().build()), "lower router id");
        wins(path(ibgp2, base().originatorId(Ip.v4Int("0.0.0.9") & 0xffffffffL).build()), path(ibgp1, base().build()), "lower router id");
    }

    @Test void shorterClusterList() {
        long orig = Ip.v4Int("9.9.9.9") & 0xffffffffL;
        wins(path(ibgp2, base().originatorId(orig).clusterList(1).build()), path(ibgp1, base().originatorId(orig).clusterList(1, 2).build()),
                "shorter cluster list");
    }

    @Test void lowerPeerAddress() {
        PeerInfo same1 = peer("10.0.0.200", true, "5.5.5.5"), same2 = peer("10.0.0.7", true, "5.5.5.5");
        wins(path(same2, base().build()), path(same1, base().build()), "lower peer address");
    }

    @Test void multipathTiesUpToTheRouterId() {
        assertThat(bp.equalForMultipath(path(ibgp1, base().build()), path(ibgp2, base().build()))).isTrue();
        assertThat(bp.equalForMultipath(path(ibgp1, base().build()), path(ebgp, base().build()))).isFalse();
    }

    @Test void rejectedPathsAreNotCandidates() {
        Path rejected = path(ibgp1, base().localPref(500).build()).withAttrs(null);
        Path ok = path(ibgp2, base().build());
        assertThat(bp.select(new Path[] {rejected, ok})).isSameAs(ok);
    }
}
