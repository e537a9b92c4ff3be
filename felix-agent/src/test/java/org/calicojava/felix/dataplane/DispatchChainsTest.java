package org.calicojava.felix.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.calicojava.felix.calc.PersistentMap;
import org.calicojava.felix.rules.Action;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.Rule;
import org.calicojava.felix.rules.StaticChains;
import org.junit.jupiter.api.Test;

/**
 * The iptables backend's filter tables: the calculated chains plus exactly the dispatch chains of the interfaces
 * that have endpoint chains ({@link StaticChains#dispatch}, the reference), after every change of either.
 */
class DispatchChainsTest {
    @Test
    void theDispatchChainsFollowTheInterfaces() {
        DispatchChains d = new DispatchChains();
        PersistentMap.Builder<String, Chain> b = PersistentMap.<String, Chain>empty().toBuilder();
        b.put("cali-FORWARD", chain("cali-FORWARD", "a"));
        Map<String, Chain> calc = b.build();
        d.update(ifaces("cali1", "cali2"));
        Map<String, Chain> t = d.filter(4, calc);
        assertThat(t.get("cali-to-wl-dispatch").rules())
                .anySatisfy(r -> assertThat(r.text()).contains("-o cali2 -g cali-tw-cali2"));
        assertThat(t.get("cali-from-wl-dispatch").rules())
                .anySatisfy(r -> assertThat(r.text()).contains("-i cali1 -g cali-fw-cali1"));
        assertThat(t).containsEntry("cali-FORWARD", calc.get("cali-FORWARD"));
        d.update(ifaces("cali1", "cali2"));
        assertThat(d.filter(4, calc)).as("nothing changed: the same map").isSameAs(t);
        d.update(ifaces("cali1"));
        Map<String, Chain> t2 = d.filter(4, calc);
        assertThat(t2.get("cali-to-wl-dispatch").rules())
                .noneSatisfy(r -> assertThat(r.text()).contains("cali2"));
        assertThat(t2.get("cali-FORWARD"))
                .as("an unchanged chain stays the same object")
                .isSameAs(t.get("cali-FORWARD"));
        assertThat(d.filter(6, Map.of()))
                .as("a family without policy gets no dispatch")
                .isEmpty();
    }

    @Property(tries = 60)
    void sameAsTheCalculatedChainsAndAFreshDispatchAfterEveryChange(@ForAll long seed) {
        Random r = new Random(seed);
        DispatchChains d = new DispatchChains();
        PersistentMap.Builder<String, Object> ifaces = PersistentMap.<String, Object>empty().toBuilder();
        PersistentMap.Builder<String, Chain> calc = PersistentMap.<String, Chain>empty().toBuilder();
        for (int step = 0; step < 60; step++) {
            int n = r.nextInt(4) == 0 ? 1 + r.nextInt(60) : 1;
            for (int i = 0; i < n; i++) {
                String iface = "cali" + Integer.toString(r.nextInt(400), 7);
                if (ifaces.get(iface) != null) {
                    ifaces.remove(iface);
                } else {
                    ifaces.put(iface, new Object());
                }
                String name = "cali-tw-" + r.nextInt(30);
                if (r.nextBoolean()) {
                    calc.put(name, chain(name, "step " + step));
                } else {
                    calc.remove(name);
                }
            }
            if (r.nextInt(5) == 0) { // the same interfaces, other owners (new values): nothing to change
                new ArrayList<>(ifaces.build().keySet()).forEach(k -> ifaces.put(k, new Object()));
            }
            PersistentMap<String, Object> now = ifaces.build();
            PersistentMap<String, Chain> table = calc.build();
            d.update(now);
            int version = r.nextInt(3) == 0 ? 6 : 4; // a family not asked for a while catches up
            Map<String, Chain> want = new HashMap<>(table);
            if (!table.isEmpty()) {
                StaticChains.dispatch(now.keySet()).forEach(c -> want.put(c.name(), c));
            }
            assertThat(new HashMap<>(d.filter(version, table)))
                    .as("step %d, IPv%d, %d interfaces", step, version, now.size())
                    .isEqualTo(want);
        }
    }

    private static Map<String, Object> ifaces(String... names) {
        PersistentMap.Builder<String, Object> b = PersistentMap.<String, Object>empty().toBuilder();
        for (String n : names) {
            b.put(n, n);
        }
        return b.build();
    }

    private static Chain chain(String name, String comment) {
        List<Rule> rules = new ArrayList<>();
        rules.add(new Rule(Action.Verdict.ACCEPT, comment));
        return new Chain(name, rules);
    }
}
