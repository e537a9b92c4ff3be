package org.calicojava.felix.calc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The persistent map and set against a {@link HashMap} fed the same changes, version after version: contents, and
 * the changed keys and members between versions (from a persistent and from a plain earlier version).
 */
class PersistentMapTest {
    @Property(tries = 200)
    void versionsAgreeWithAHashMap(
            @ForAll @Size(max = 400) List<@IntRange(min = -3000, max = 3000) Integer> changes,
            @ForAll @IntRange(min = 1, max = 50) int perVersion) {
        Map<String, Integer> expected = new HashMap<>();
        PersistentMap.Builder<String, Integer> b = PersistentMap.<String, Integer>empty().toBuilder();
        PersistentSet.Builder<String> sb = PersistentSet.<String>empty().toBuilder();
        PersistentMap<String, Integer> before = b.build();
        PersistentSet<String> setBefore = sb.build();
        Map<String, Integer> expectedBefore = Map.of();
        for (int i = 0; i < changes.size(); i++) {
            Integer c = changes.get(i); // one instance for both maps: changed keys compare values by identity
            String key = "cali" + Math.abs(c) % 700;
            if (c < 0) {
                b.remove(key);
                sb.remove(key);
                expected.remove(key);
            } else {
                b.put(key, c);
                sb.add(key);
                expected.put(key, c);
            }
            if (i % perVersion == perVersion - 1 || i == changes.size() - 1) {
                PersistentMap<String, Integer> after = b.build();
                PersistentSet<String> setAfter = sb.build();
                assertThat(after).isEqualTo(expected).hasSize(expected.size());
                assertThat(setAfter).containsExactlyInAnyOrderElementsOf(expected.keySet());
                Set<String> changed = new TreeSet<>();
                PersistentMap.changedKeys(before, after, changed::add);
                Set<String> changedFromPlain = new TreeSet<>();
                PersistentMap.changedKeys(expectedBefore, after, changedFromPlain::add);
                assertThat(changed).isEqualTo(differing(expectedBefore, expected));
                assertThat(changedFromPlain).isEqualTo(changed);
                Set<String> setChanged = new TreeSet<>();
                PersistentSet.changes(setBefore, setAfter, (e, added) -> {
                    assertThat(added).isEqualTo(setAfter.contains(e));
                    setChanged.add(e);
                });
                Set<String> membership = new TreeSet<>(expected.keySet());
                membership.removeAll(expectedBefore.keySet());
                Set<String> gone = new TreeSet<>(expectedBefore.keySet());
                gone.removeAll(expected.keySet());
                membership.addAll(gone);
                assertThat(setChanged).isEqualTo(membership);
                before = after;
                setBefore = setAfter;
                expectedBefore = Map.copyOf(expected);
            }
        }
    }

    /** Keys added, removed or given another value (another instance: what the calculation's maps compare). */
    private static Set<String> differing(Map<String, Integer> a, Map<String, Integer> b) {
        Set<String> out = new TreeSet<>();
        b.forEach((k, v) -> {
            if (v != a.get(k)) {
                out.add(k);
            }
        });
        a.keySet().forEach(k -> {
            if (!b.containsKey(k)) {
                out.add(k);
            }
        });
        return out;
    }
}
