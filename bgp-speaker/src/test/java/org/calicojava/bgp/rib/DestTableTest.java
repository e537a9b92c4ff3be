package org.calicojava.bgp.rib;

import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Nlri;
import org.calicojava.bgp.codec.Prefix;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The open-addressing Loc-RIB table against a HashMap under random inserts, lookups and removals (both families). */
class DestTableTest {
    @Test void behavesLikeAMap() {
        Random r = new Random(42);
        DestTable t = new DestTable();
        Map<Prefix, Dest> m = new HashMap<>();
        for (int step = 0; step < 200_000; step++) {
            boolean v6 = r.nextInt(4) == 0;
            Prefix p = v6 ? new Prefix(Family.IPV6_UNICAST, 64 + r.nextInt(65), 0x20010db8, r.nextInt(64), r.nextInt(), r.nextInt())
                    : new Prefix(Family.IPV4_UNICAST, 16 + r.nextInt(17), 0x0a000000 | r.nextInt(1 << 14) << 10, 0, 0, 0);
            switch (r.nextInt(3)) {
                case 0 -> {
                    Nlri n = Nlri.builder(p.family(), false).add(p).build();
                    Dest d = t.get(n, 0, true);
                    assertThat(d.prefix).isEqualTo(p);
                    Dest old = m.putIfAbsent(p, d);
                    if (old != null) assertThat(d).isSameAs(old);
                }
                case 1 -> assertThat(t.get(p)).isSameAs(m.get(p));
                default -> {
                    Dest d = m.remove(p);
                    if (d != null) t.remove(d);
                    assertThat(t.get(p)).isNull();
                }
            }
        }
        assertThat(t.size()).isEqualTo(m.size());
        assertThat(new HashSet<>(t)).isEqualTo(new HashSet<>(m.values()));
        for (Map.Entry<Prefix, Dest> e : m.entrySet()) assertThat(t.get(e.getKey())).isSameAs(e.getValue());
    }
}
