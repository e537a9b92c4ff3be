package org.calicojava.felix.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The incremental dispatch tree gives exactly {@link StaticChains#dispatch}'s chains after every change. */
class DispatchTreeTest {
    @Property(tries = 60)
    void sameChainsAsAFreshTreeAfterEveryChange(@ForAll long seed, @ForAll @IntRange(min = 1, max = 120) int span) {
        Random r = new Random(seed);
        DispatchTree from = DispatchTree.from();
        DispatchTree to = DispatchTree.to();
        Map<String, Chain> mirror = new HashMap<>(); // what the reported changes add up to
        TreeSet<String> ifaces = new TreeSet<>();
        for (int step = 0; step < 150; step++) {
            List<String> added = new ArrayList<>();
            List<String> removed = new ArrayList<>();
            int n = r.nextInt(4) == 0 ? 1 + r.nextInt(40) : 1;
            for (int i = 0; i < n; i++) {
                String iface = name(r, span);
                if (ifaces.contains(iface) && !added.contains(iface)) {
                    if (!removed.contains(iface)) {
                        removed.add(iface);
                    }
                } else if (!ifaces.contains(iface) && !added.contains(iface)) {
                    added.add(iface);
                }
            }
            ifaces.addAll(added);
            ifaces.removeAll(removed);
            Map<String, Chain> changed = new HashMap<>();
            List<String> gone = new ArrayList<>();
            from.update(added, removed, changed, gone);
            to.update(added, removed, changed, gone);
            gone.forEach(mirror::remove);
            mirror.putAll(changed);
            Map<String, Chain> want = new HashMap<>();
            StaticChains.dispatch(ifaces).forEach(c -> want.put(c.name(), c));
            Map<String, Chain> have = new HashMap<>();
            from.chains().forEach(c -> have.put(c.name(), c));
            to.chains().forEach(c -> have.put(c.name(), c));
            assertThat(have).as("step %d, %d interfaces", step, ifaces.size()).isEqualTo(want);
            assertThat(mirror).as("reported changes, step %d", step).isEqualTo(want);
        }
    }

    /** Names with shared heads of different lengths (so nodes split, and some names end at interior nodes). */
    private static String name(Random r, int span) {
        int i = r.nextInt(span);
        return switch (r.nextInt(3)) {
            case 0 -> "cali" + i;
            case 1 -> "calia" + Integer.toString(i, 3);
            default -> r.nextInt(10) == 0 ? "x" + i : "cali00000000" + i; // a rare other head moves the root
        };
    }
}
