package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.felix.agent.Metrics;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.IpSetSpec;
import org.calicojava.felix.dataplane.DataplaneException;
import org.calicojava.felix.dataplane.PolicyBackend;
import org.calicojava.process.CommandRunner;
import org.junit.jupiter.api.Test;

/**
 * The backend's bookkeeping with a fake nft (what the real one does is covered by FelixAgentNftIT): transactions
 * only when something differs, drift found by read-back, and read-backs that overlap writes.
 */
class NftBackendTest {
    /** Answers "nft -j list" with {@link #listing} and records "nft -f" scripts. */
    static final class FakeNft implements CommandRunner {
        String listing = null; // null: no table yet
        final List<String> scripts = new ArrayList<>();

        @Override
        public Result run(List<String> argv, String stdin, Duration timeout) {
            if (argv.contains("-j")) {
                return listing == null
                        ? new Result(1, "", "Error: No such file or directory")
                        : new Result(0, listing, "");
            }
            scripts.add(stdin);
            return new Result(0, "", "");
        }
    }

    /** The JSON nft would list for a ruleset (chains with their comments, sets, maps). */
    static String json(NftRuleset r, String... missingChains) {
        StringBuilder b =
                new StringBuilder("{\"nftables\": [{\"table\": {\"family\": \"inet\", \"name\": \"calico\"}}");
        r.chains().values().forEach(c -> {
            if (List.of(missingChains).contains(c.name())) {
                return;
            }
            b.append(", {\"chain\": {\"name\": \"").append(c.name()).append("\"}}");
            c.hashes()
                    .forEach(h -> b.append(", {\"rule\": {\"chain\": \"")
                            .append(c.name())
                            .append("\", \"comment\": \"cali:")
                            .append(h)
                            .append("\"}}"));
        });
        r.sets().values().forEach(s -> {
            b.append(", {\"set\": {\"name\": \"").append(s.name()).append("\", \"elem\": [");
            b.append(String.join(
                            ", ", s.members().stream().map(m -> "\"" + m + "\"").toList()))
                    .append("]}}");
        });
        r.maps().forEach((name, m) -> {
            b.append(", {\"map\": {\"name\": \"").append(name).append("\", \"elem\": [");
            b.append(String.join(
                            ", ",
                            m.entrySet().stream()
                                    .map(e -> "[\"" + e.getKey() + "\", {\"goto\": {\"target\": \"" + e.getValue()
                                            + "\"}}]")
                                    .toList()))
                    .append("]}}");
        });
        return b.append("]}").toString();
    }

    private final FakeNft nft = new FakeNft();
    private final NftBackend backend = new NftBackend(nft, new Metrics());

    @Test
    void writesOnlyDifferencesAndRepairsDrift() {
        assertThat(backend.refresh()).isZero();
        backend.apply(NftStateTest.desired(NftStateTest.ifaces(3), Set.of("10.65.0.1/32")));
        assertThat(nft.scripts).hasSize(1);
        backend.apply(NftStateTest.desired(NftStateTest.ifaces(3), Set.of("10.65.0.1/32")));
        assertThat(nft.scripts).as("nothing changed: no transaction").hasSize(1);

        NftRuleset written = new NftModel().build(NftStateTest.desired(NftStateTest.ifaces(3), Set.of("10.65.0.1/32")));
        nft.listing = json(written, "cali-tw-cali00000000001");
        assertThat(backend.refresh()).isEqualTo(1);
        backend.apply(NftStateTest.desired(NftStateTest.ifaces(3), Set.of("10.65.0.1/32")));
        assertThat(nft.scripts).hasSize(2);
        assertThat(nft.scripts.get(1))
                .contains(
                        "add chain inet calico cali-tw-cali00000000001\n",
                        "flush chain inet calico cali-tw-cali00000000001\n")
                .doesNotContain("cali-fw-");
    }

    @Test
    void readBackOverlappingAWriteKeepsWhatWasWrittenAndStillFindsOtherDrift() {
        NftRuleset first = new NftModel().build(NftStateTest.desired(NftStateTest.ifaces(2), Set.of("10.65.0.1/32")));
        nft.listing = json(first);
        backend.refresh();
        backend.apply(NftStateTest.desired(NftStateTest.ifaces(2), Set.of("10.65.0.1/32")));
        assertThat(nft.scripts).isEmpty();

        nft.listing = json(first, "cali-fw-cali00000000000"); // drift, read before the next write lands
        PolicyBackend.Snapshot snapshot = backend.read();
        backend.apply(NftStateTest.desired(NftStateTest.ifaces(3), Set.of("10.65.0.1/32", "10.65.0.3/32")));
        assertThat(nft.scripts).hasSize(1);

        assertThat(backend.adopt(snapshot)).as("the chain deleted by hand").isEqualTo(1);
        backend.apply(NftStateTest.desired(NftStateTest.ifaces(3), Set.of("10.65.0.1/32", "10.65.0.3/32")));
        assertThat(nft.scripts).hasSize(2);
        assertThat(nft.scripts.get(1))
                .as("only the drifted chain; the new endpoint's objects are known")
                .contains("cali-fw-cali00000000000")
                .doesNotContain("cali00000000002", "10.65.0.3");
    }

    @Test
    void aReadBackThatStartsWhileATransactionIsInFlightIsNotTakenAsCurrent() {
        NftBackend[] b = new NftBackend[1];
        List<PolicyBackend.Snapshot> during = new ArrayList<>();
        CommandRunner readsMidCommit = (argv, stdin, timeout) -> {
            if (!argv.contains("-j")) { // the transaction is on its way: a read-back starts and reads the table
                during.add(b[0].read()); // before it commits (the listing is still the one before)
            }
            return nft.run(argv, stdin, timeout);
        };
        b[0] = new NftBackend(readsMidCommit, new Metrics());
        NftRuleset two = new NftModel().build(NftStateTest.desired(NftStateTest.ifaces(2), Set.of("10.65.0.1/32")));
        nft.listing = json(two);
        b[0].refresh();

        b[0].apply(NftStateTest.desired(NftStateTest.ifaces(3), Set.of("10.65.0.1/32", "10.65.0.3/32")));
        assertThat(nft.scripts).hasSize(1);
        assertThat(during).hasSize(1);

        assertThat(b[0].adopt(during.get(0)))
                .as("the read-back missed the transaction it overlapped, which is no drift")
                .isZero();
        b[0].apply(NftStateTest.desired(NftStateTest.ifaces(3), Set.of("10.65.0.1/32", "10.65.0.3/32")));
        assertThat(nft.scripts).as("nothing rewritten").hasSize(1);
    }

    /** A fake kernel generation: +1 per "nft -f" of ours, or by hand for someone else's commit. */
    static final class CountingNft implements CommandRunner {
        final FakeNft nft = new FakeNft();
        final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong(100);
        int listings;

        @Override
        public Result run(List<String> argv, String stdin, Duration timeout) {
            if (argv.contains("-j")) {
                listings++;
            } else {
                generation.incrementAndGet();
            }
            return nft.run(argv, stdin);
        }
    }

    @Test
    void refreshReadsBackOnlyWhenSomethingElseCommittedSinceTheLastReadBack() {
        CountingNft kernel = new CountingNft();
        Metrics metrics = new Metrics();
        NftBackend b = new NftBackend(kernel, metrics, true, kernel.generation::get, null);
        assertThat(b.refresh()).isZero();
        assertThat(kernel.listings).isEqualTo(1);
        b.apply(NftStateTest.desired(NftStateTest.ifaces(3), Set.of("10.65.0.1/32")));
        assertThat(b.refresh()).isZero();
        assertThat(b.adopt(b.read())).isZero();
        assertThat(kernel.listings)
                .as("only our own transaction since: nothing to read")
                .isEqualTo(1);
        assertThat(metrics.counter("felix_refreshes_skipped")).isEqualTo(2);

        NftRuleset written = new NftModel().build(NftStateTest.desired(NftStateTest.ifaces(3), Set.of("10.65.0.1/32")));
        kernel.nft.listing = json(written, "cali-tw-cali00000000001");
        kernel.generation.incrementAndGet(); // someone deletes a chain
        assertThat(b.adopt(b.read())).isEqualTo(1);
        assertThat(kernel.listings).isEqualTo(2);
        b.apply(NftStateTest.desired(NftStateTest.ifaces(3), Set.of("10.65.0.1/32")));
        assertThat(kernel.nft.scripts.get(1)).contains("cali-tw-cali00000000001");
        kernel.nft.listing = json(written);
        assertThat(b.refresh()).as("repaired by our one transaction").isZero();
        assertThat(kernel.listings).isEqualTo(2);
    }

    /** A backend over {@code kernel} whose "nft -f" fails while {@code failing} says so. */
    private static NftBackend failingWrites(CountingNft kernel, java.util.function.BooleanSupplier failing) {
        return new NftBackend(
                (argv, stdin, timeout) -> failing.getAsBoolean() && argv.contains("-f")
                        ? new CommandRunner.Result(1, "", "Error: Could not process rule")
                        : kernel.run(argv, stdin, timeout),
                new Metrics(),
                true,
                kernel.generation::get,
                null);
    }

    @Test
    void aReadBackFromBeforeAFailedTransactionIsReadAgainNotAdopted() {
        CountingNft kernel = new CountingNft();
        boolean[] failing = {false};
        NftBackend b = failingWrites(kernel, () -> failing[0]);
        b.refresh();
        DesiredDataplane two = NftStateTest.desired(NftStateTest.ifaces(2), Set.of("10.65.0.1/32", "10.65.0.2/32"));
        b.apply(two);
        kernel.nft.listing = json(new NftModel().build(two));
        PolicyBackend.Snapshot skipped = b.read(); // only our transaction since the last read: nothing to read
        kernel.generation.incrementAndGet(); // someone else commits: the next read-back reads the table
        PolicyBackend.Snapshot full = b.read();

        failing[0] = true;
        DesiredDataplane one = NftStateTest.desired(NftStateTest.ifaces(1), Set.of("10.65.0.1/32"));
        assertThatThrownBy(() -> b.apply(one)).isInstanceOf(DataplaneException.class);
        assertThat(b.adopt(skipped))
                .as("skipped before the failure: read again")
                .isEqualTo(-1);
        assertThat(b.adopt(full)).as("read before the failure: read again").isEqualTo(-1);

        failing[0] = false;
        assertThat(b.refresh()).isZero();
        b.apply(one);
        assertThat(kernel.nft.scripts.get(kernel.nft.scripts.size() - 1))
                .as("the second endpoint's objects and set member go, not only the rest rewritten")
                .contains("delete chain inet calico cali-tw-cali00000000001", "delete element")
                .contains("10.65.0.2");
    }

    @Test
    void adoptedReadBacksLetGoOfWhatOnlyOverlappingOnesNeed() {
        CountingNft kernel = new CountingNft();
        NftBackend b = new NftBackend(kernel, new Metrics(), true, kernel.generation::get, null);
        b.refresh();
        for (int i = 1; i <= 20; i++) {
            b.apply(NftStateTest.desired(NftStateTest.ifaces(1 + i % 3), Set.of("10.65.0.1/32")));
            assertThat(b.adopt(b.read())).isZero();
        }
        assertThat(kernel.listings).as("all skipped").isEqualTo(1);
        assertThat(b.touchedCount()).isZero();
    }

    @Test
    void aFailedTransactionMakesTheNextRefreshReadBack() {
        CountingNft kernel = new CountingNft();
        NftBackend b = failingWrites(kernel, () -> true);
        b.refresh();
        assertThatThrownBy(() -> b.apply(NftStateTest.desired(NftStateTest.ifaces(1), Set.of("10.65.0.1/32"))))
                .isInstanceOf(DataplaneException.class);
        b.refresh();
        assertThat(kernel.listings).isEqualTo(2);
    }

    @Test
    void aKernelWithoutIpv6GetsTheIpv4PolicyOnly() {
        DesiredDataplane d = NftStateTest.desired(NftStateTest.ifaces(2), Set.of("10.65.0.1/32"));
        Map<String, IpSetSpec> sets = new HashMap<>(d.ipsets());
        sets.put("cali6-t-p", new IpSetSpec("cali6-t-p", 6, Set.of("fd00::1/128")));
        DesiredDataplane dual = new DesiredDataplane(
                d.routes(), d.interfaces(), d.filter(), d.nat(), sets, d.raw(), d.filter6(), d.nat6(), d.raw6());
        backend.apply(dual);
        assertThat(nft.scripts.get(0))
                .contains("add set inet calico cali6-t-p { type ipv6_addr; flags interval; }")
                .doesNotContain("/4");
        FakeNft noV6 = new FakeNft();
        new NftBackend(noV6, new Metrics(), false).apply(dual);
        assertThat(noV6.scripts.get(0))
                .doesNotContain("cali6-", "/6", "ipv6")
                .contains("add chain inet calico cali-FORWARD { meta nfproto ipv4 goto cali-FORWARD/4 comment");
    }
}
