package org.calicojava.bgp.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.calicojava.bgp.codec.AsPath;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Prefix;
import org.junit.jupiter.api.Test;

class PolicyTest {
    static final PathAttributes A = PathAttributes.builder()
            .origin(0)
            .asPath(AsPath.sequence(65001))
            .nextHop("192.0.2.1")
            .communities(65001 << 16 | 7)
            .build();

    @Test
    void prefixRanges() {
        PrefixRange exact = PrefixRange.parse("10.0.0.0/8");
        assertThat(exact.matches(Prefix.parse("10.0.0.0/8"))).isTrue();
        assertThat(exact.matches(Prefix.parse("10.1.0.0/16"))).isFalse();
        PrefixRange le = PrefixRange.parse("10.0.0.0/8 le 32");
        assertThat(le.matches(Prefix.parse("10.65.0.3/32"))).isTrue();
        assertThat(le.matches(Prefix.parse("11.0.0.0/8"))).isFalse();
        assertThat(le.matches(Prefix.parse("0.0.0.0/0"))).isFalse();
        PrefixRange ge = PrefixRange.parse("10.0.0.0/8 ge 24 le 28");
        assertThat(ge.matches(Prefix.parse("10.1.2.0/24"))).isTrue();
        assertThat(ge.matches(Prefix.parse("10.1.0.0/16"))).isFalse();
        assertThat(ge.matches(Prefix.parse("10.1.2.0/29"))).isFalse();
        assertThat(PrefixRange.parse("10.0.0.0/8 ge 24").le()).isEqualTo(32);
        assertThat(PrefixRange.parse("fd00::/8 le 128").matches(Prefix.parse("fd10::1/128")))
                .isTrue();
        assertThat(PrefixRange.parse("fd00::/8 le 128").matches(Prefix.parse("10.0.0.0/8")))
                .isFalse();
        assertThatThrownBy(() -> PrefixRange.parse("10.0.0.0/8 le 4")).hasMessage("le: 4 (expected: 8..32)");
        assertThatThrownBy(() -> PrefixRange.parse("10.0.0.0/8 lt 4"))
                .hasMessageContaining("expected: CIDR [ge N] [le N]");
    }

    @Test
    void firstDecidingTermWinsAndChainsFallThroughToReject() {
        Policy pools = new Policy(
                "pools",
                List.of(new Term(
                        new Match(List.of(PrefixRange.parse("10.65.0.0/16 le 32")), List.of(), -1, null, -1, null),
                        true,
                        null)));
        Policy none = new Policy("none", List.of(new Term(null, false, null)));
        Prefix in = Prefix.parse("10.65.1.0/26"), out = Prefix.parse("192.168.0.0/16");
        assertThat(Policy.evaluate(List.of(pools), in, A, RouteSource.BGP, 65000))
                .isSameAs(A);
        assertThat(Policy.evaluate(List.of(pools), out, A, RouteSource.BGP, 65000))
                .isNull(); // end of chain: reject
        assertThat(Policy.evaluate(List.of(none, pools), in, A, RouteSource.BGP, 65000))
                .isNull();
        assertThat(Policy.dependsOnPrefix(List.of(pools))).isTrue();
        assertThat(Policy.dependsOnPrefix(List.of(none))).isFalse();
    }

    @Test
    void matchesOnCommunitiesAsPathNextHopOriginAndSource() {
        assertThat(new Match(List.of(), List.of(65001 << 16 | 7), -1, null, -1, null)
                        .matches(Prefix.parse("10.0.0.0/8"), A, RouteSource.BGP))
                .isTrue();
        assertThat(new Match(List.of(), List.of(65001 << 16 | 8), -1, null, -1, null)
                        .matches(Prefix.parse("10.0.0.0/8"), A, RouteSource.BGP))
                .isFalse();
        assertThat(new Match(List.of(), List.of(), 65001, null, -1, null)
                        .matches(Prefix.parse("10.0.0.0/8"), A, RouteSource.BGP))
                .isTrue();
        assertThat(new Match(List.of(), List.of(), 65002, null, -1, null)
                        .matches(Prefix.parse("10.0.0.0/8"), A, RouteSource.BGP))
                .isFalse();
        assertThat(new Match(List.of(), List.of(), -1, A.nextHop(), -1, null)
                        .matches(Prefix.parse("10.0.0.0/8"), A, RouteSource.BGP))
                .isTrue();
        assertThat(new Match(List.of(), List.of(), -1, null, 2, null)
                        .matches(Prefix.parse("10.0.0.0/8"), A, RouteSource.BGP))
                .isFalse();
        assertThat(new Match(List.of(), List.of(), -1, null, -1, RouteSource.KERNEL)
                        .matches(Prefix.parse("10.0.0.0/8"), A, RouteSource.BGP))
                .isFalse();
        assertThat(new Match(List.of(), List.of(), -1, null, -1, RouteSource.KERNEL)
                        .matches(Prefix.parse("10.0.0.0/8"), A, RouteSource.KERNEL))
                .isTrue();
    }

    @Test
    void matchesOnLargeCommunitiesAllOfThemUnsigned() {
        PathAttributes a = A.toBuilder()
                .largeCommunities(65001, 1, 2, (int) 4200000000L, 0, (int) 4294967295L)
                .build();
        Prefix p = Prefix.parse("10.0.0.0/8");
        Match one = new Match(List.of(), List.of(), -1, null, -1, null, List.of(new int[] {65001, 1, 2}));
        Match big = new Match(
                List.of(), List.of(), -1, null, -1, null, List.of(new int[] {(int) 4200000000L, 0, (int) 4294967295L}));
        Match both = new Match(List.of(), List.of(), -1, null, -1, null, List.of(new int[] {65001, 1, 2}, new int[] {
            (int) 4200000000L, 0, -1
        }));
        Match other = new Match(
                List.of(), List.of(), -1, null, -1, null, List.of(new int[] {65001, 1, 2}, new int[] {65001, 2, 1}));
        assertThat(one.matches(p, a, RouteSource.BGP)).isTrue();
        assertThat(big.matches(p, a, RouteSource.BGP)).isTrue();
        assertThat(both.matches(p, a, RouteSource.BGP)).isTrue();
        assertThat(other.matches(p, a, RouteSource.BGP))
                .as("every listed large community must be present")
                .isFalse();
        assertThat(one.matches(p, A, RouteSource.BGP))
                .as("no LARGE_COMMUNITY attribute")
                .isFalse();
        assertThatThrownBy(() -> new Match(List.of(), List.of(), -1, null, -1, null, List.of(new int[] {65001, 2})))
                .hasMessage("large community: 2 numbers (expected: 3)");
    }

    @Test
    void removingCommunitiesThatAreAbsentAndAddingPresentOnesChangesNothing() {
        SetActions s = new SetActions(
                -1,
                -1,
                List.of(65001 << 16 | 7),
                List.of(65009 << 16 | 1),
                List.of(),
                List.of(new int[] {9, 9, 9}),
                0,
                0);
        PathAttributes out = s.apply(A, 65000);
        assertThat(out.communities()).containsExactly(65001 << 16 | 7);
        assertThat(out.largeCommunities()).isNull();
        SetActions removeAll = new SetActions(-1, -1, List.of(), List.of(65001 << 16 | 7), List.of(), List.of(), 0, 0);
        assertThat(removeAll.apply(A, 65000).communities())
                .as("the attribute goes when it becomes empty")
                .isNull();
    }

    @Test
    void setActions() {
        SetActions s = new SetActions(
                200,
                10,
                List.of(65000 << 16 | 1),
                List.of(65001 << 16 | 7),
                List.of(new int[] {1, 2, 3}),
                List.of(),
                2,
                0);
        PathAttributes out = Policy.evaluate(
                List.of(new Policy("p", List.of(new Term(null, true, s)))),
                Prefix.parse("10.0.0.0/8"),
                A,
                RouteSource.BGP,
                65000);
        assertThat(out.localPref()).isEqualTo(200);
        assertThat(out.med()).isEqualTo(10);
        assertThat(out.communities()).containsExactly(65000 << 16 | 1);
        assertThat(out.largeCommunities()).containsExactly(1, 2, 3);
        assertThat(out.asPath()).isEqualTo(AsPath.sequence(65000, 65000, 65001));
        // a term without action applies its set and evaluation continues
        Policy p = new Policy(
                "p",
                List.of(
                        new Term(null, null, new SetActions(300, -1, List.of(), List.of(), List.of(), List.of(), 0, 0)),
                        new Term(null, true, null)));
        assertThat(Policy.evaluate(List.of(p), Prefix.parse("10.0.0.0/8"), A, RouteSource.BGP, 65000)
                        .localPref())
                .isEqualTo(300);
    }
}
