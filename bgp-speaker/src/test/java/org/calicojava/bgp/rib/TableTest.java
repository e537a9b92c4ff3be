package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Nlri;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.policy.RouteSource;
import org.junit.jupiter.api.Test;

/** The Loc-RIB's primitive table against a HashMap under random inserts, lookups and removals (both families). */
class TableTest {
    @Test
    void behavesLikeAMap() {
        Random r = new Random(42);
        Table t = new Table();
        Map<Prefix, Integer> m = new HashMap<>();
        for (int step = 0; step < 200_000; step++) {
            boolean v6 = r.nextInt(4) == 0;
            Prefix p = v6
                    ? new Prefix(
                            Family.IPV6_UNICAST,
                            64 + r.nextInt(65),
                            0x20010db8,
                            r.nextInt(64),
                            r.nextInt(),
                            r.nextInt())
                    : new Prefix(
                            Family.IPV4_UNICAST, 16 + r.nextInt(17), 0x0a000000 | r.nextInt(1 << 14) << 10, 0, 0, 0);
            switch (r.nextInt(3)) {
                case 0 -> {
                    Nlri n = Nlri.builder(p.family(), false).add(p).build();
                    int d = t.find(n, 0, true);
                    assertThat(t.prefix(d)).isEqualTo(p);
                    assertThat(t.family(d)).isEqualTo(p.family());
                    Integer old = m.putIfAbsent(p, d);
                    if (old != null) {
                        assertThat(d).isEqualTo(old);
                    }
                }
                case 1 -> assertThat(t.find(p)).isEqualTo(m.getOrDefault(p, -1));
                default -> {
                    Integer d = m.remove(p);
                    if (d != null) {
                        t.remove(d);
                    }
                    assertThat(t.find(p)).isEqualTo(-1);
                }
            }
        }
        assertThat(t.size()).isEqualTo(m.size());
        Set<Integer> live = new HashSet<>();
        for (int d = 0; d < t.high(); d++) {
            if (t.live(d)) {
                live.add(d);
            }
        }
        assertThat(live).isEqualTo(new HashSet<>(m.values()));
        for (Map.Entry<Prefix, Integer> e : m.entrySet()) {
            assertThat(t.find(e.getKey())).isEqualTo(e.getValue());
        }
    }

    @Test
    void candidatePathsAddReplaceRemove() {
        Table t = new Table();
        int d = t.add(Prefix.parse("10.1.0.0/24"));
        PeerInfo a = new PeerInfo(org.calicojava.bgp.codec.Ip.parse("10.0.0.1")),
                b = new PeerInfo(org.calicojava.bgp.codec.Ip.parse("10.0.0.2"));
        Path pa = new Path(a, RouteSource.BGP, 0, null, null, null, false),
                pb = new Path(b, RouteSource.BGP, 0, null, null, null, false),
                pb7 = new Path(b, RouteSource.BGP, 7, null, null, null, false),
                local = new Path(null, RouteSource.STATIC, 0, null, null, null, false);
        t.replace(d, null, pa);
        t.replace(d, null, pb);
        t.replace(d, null, pb7); // ADD-PATH: a second path from the same peer, another path id
        t.replace(d, null, local);
        assertThat(t.paths(d)).containsExactly(pa, pb, pb7, local);
        assertThat(t.find(d, b, RouteSource.BGP, 7)).isSameAs(pb7);
        assertThat(t.find(d, b, RouteSource.BGP, 0)).isSameAs(pb);
        assertThat(t.find(d, null, RouteSource.STATIC, 0)).isSameAs(local);
        assertThat(t.find(d, null, RouteSource.KERNEL, 0)).isNull();
        Path stale = pb.withStale(true);
        t.replace(d, pb, stale);
        t.replace(d, pa, null);
        t.replace(d, local, null);
        assertThat(t.paths(d)).containsExactly(stale, pb7);
        t.replace(d, pb7, null);
        assertThat(t.pathCount(d)).isEqualTo(1);
        t.replace(d, stale, null);
        assertThat(t.pathCount(d)).isZero();
    }
}
