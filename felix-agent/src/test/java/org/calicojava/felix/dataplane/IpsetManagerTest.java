package org.calicojava.felix.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.felix.calc.IpSetSpec;
import org.calicojava.felix.calc.PersistentMap;
import org.calicojava.process.CommandRunner;
import org.junit.jupiter.api.Test;

class IpsetManagerTest {
    /** Keeps restore inputs; answers save with {@link #saved}. */
    static final class FakeIpset implements CommandRunner {
        final List<String> restores = new ArrayList<>();
        String saved = "";

        @Override
        public Result run(List<String> argv, String stdin, Duration timeout) {
            if (argv.contains("save")) {
                return new Result(0, saved, "");
            }
            assertThat(argv).containsExactly("ipset", "restore", "-exist");
            restores.add(stdin);
            return new Result(0, "", "");
        }
    }

    @Test
    void createsAddsDeletesMembersAndDestroysOnlyOurUnwantedSets() {
        FakeIpset fake = new FakeIpset();
        fake.saved = """
                create cali4-t-a hash:net family inet hashsize 1024 maxelem 1048576
                add cali4-t-a 10.0.0.1
                add cali4-t-a 10.0.0.2
                create cali4-t-old hash:net family inet hashsize 1024 maxelem 1048576
                create someone-else hash:ip family inet
                add someone-else 1.2.3.4
                """;
        IpsetManager m = new IpsetManager(fake);
        assertThat(m.refresh()).isZero();
        m.setDesired(Map.of(
                "cali4-t-a",
                new IpSetSpec("cali4-t-a", 4, Set.of("10.0.0.1/32", "10.0.0.3/32")),
                "cali4-s-x",
                new IpSetSpec("cali4-s-x", 4, Set.of("10.1.0.0/16"))));
        m.applyUpdates();
        assertThat(fake.restores.get(0).lines().sorted().toList())
                .containsExactly(
                        "add cali4-s-x 10.1.0.0/16", "add cali4-t-a 10.0.0.3",
                        "create cali4-s-x hash:net family inet maxelem 1048576", "del cali4-t-a 10.0.0.2");
        assertThat(m.applyDeletes()).isEqualTo(1);
        assertThat(fake.restores.get(1)).isEqualTo("destroy cali4-t-old\n");
        assertThat(m.applyUpdates()).as("in sync: no call").isZero();
        assertThat(fake.restores).hasSize(2);
    }

    @Test
    void anUpdateComparesOnlyTheSetsThatChangedAndAReadBackComparesAll() {
        FakeIpset fake = new FakeIpset();
        IpsetManager m = new IpsetManager(fake);
        m.refresh();
        PersistentMap.Builder<String, IpSetSpec> b = PersistentMap.<String, IpSetSpec>empty().toBuilder();
        for (int i = 0; i < 1000; i++) {
            b.put("cali4-s-" + i, new IpSetSpec("cali4-s-" + i, 4, Set.of("10.0." + (i / 250) + "." + (i % 250))));
        }
        PersistentMap<String, IpSetSpec> first = b.build();
        m.setDesired(first);
        m.applyUpdates();
        assertThat(m.examined()).isEqualTo(1000);

        PersistentMap.Builder<String, IpSetSpec> next = first.toBuilder();
        next.put("cali4-s-7", new IpSetSpec("cali4-s-7", 4, Set.of("10.9.9.9/32")));
        m.setDesired(next.build());
        m.applyUpdates();
        assertThat(m.examined()).as("one set changed").isEqualTo(1);
        assertThat(fake.restores.get(1).lines().sorted())
                .containsExactly("add cali4-s-7 10.9.9.9", "del cali4-s-7 10.0.0.7");

        fake.saved = "create cali4-s-7 hash:net family inet hashsize 1024 maxelem 1048576\n";
        m.refresh(); // the kernel now holds one set: everything is compared, and the 999 others made again
        assertThat(m.applyUpdates()).isEqualTo(999 * 2 + 1);
        assertThat(m.examined()).isEqualTo(1000);
    }

    @Test
    void aSetCreatedEmptyIsKnownToExistAndDestroyedWhenNoLongerWanted() {
        FakeIpset fake = new FakeIpset();
        IpsetManager m = new IpsetManager(fake);
        m.refresh();
        m.setDesired(Map.of("cali4-s-empty", new IpSetSpec("cali4-s-empty", 4, Set.of())));
        assertThat(m.applyUpdates()).isEqualTo(1);
        assertThat(fake.restores).containsExactly("create cali4-s-empty hash:net family inet maxelem 1048576\n");
        assertThat(m.applyUpdates()).as("created: not created again").isZero();
        m.setDesired(Map.of());
        m.applyUpdates();
        assertThat(m.applyDeletes())
                .as("destroyed without waiting for a read-back")
                .isEqualTo(1);
        assertThat(fake.restores).last().isEqualTo("destroy cali4-s-empty\n");
    }
}
