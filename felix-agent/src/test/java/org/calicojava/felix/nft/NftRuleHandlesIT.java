package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.calicojava.felix.nft.NftNetlinkWriterIT.inTwoNamespaces;
import static org.calicojava.felix.nft.NftNetlinkWriterIT.list;
import static org.calicojava.felix.nft.NftNetlinkWriterIT.nftF;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.calicojava.felix.calc.Calculator;
import org.calicojava.felix.calc.DatastoreState;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.FelixConfig;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.felix.dataplane.NftKernel;
import org.calicojava.felix.dataplane.PolicyBackend;
import org.calicojava.model.Keys;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.Test;

/**
 * Rule handles on the real kernel (a namespace of its own, the netlink writer): a profile's chain whose rules change
 * (two rules for each port it allows: the mark, then a return on it) keeps the handles of the rules before the first
 * change, replaces the rest by handle, deletes or appends, and the
 * table lists exactly as flushing and filling the chain with {@code nft -f} leaves it in a second namespace. The
 * handles come from the kernel's echo of each new rule, or from a read-back; a fresh table's batch (no echo) and a
 * handle that another program made stale both end in the chain written whole.
 */
class NftRuleHandlesIT {
    private static final String CHAIN = "cali-pri-p1";

    /** The desired dataplane of one endpoint with profile p1, whose inbound rules allow {@code ports} over tcp. */
    static DesiredDataplane profile(int... ports) {
        return profile("", ports);
    }

    /** {@link #profile(int...)} with {@code first} (rules as JSON, each followed by a comma) before those rules. */
    private static DesiredDataplane profile(String first, int... ports) {
        Keys keys = new Keys();
        DatastoreState state = new DatastoreState(keys, "h1");
        String rules = first
                + Arrays.stream(ports)
                        .mapToObj(p -> "{\"action\":\"allow\",\"protocol\":\"tcp\",\"dst_ports\":[" + p + "]}")
                        .collect(Collectors.joining(","));
        state.apply(keys.profileRules("p1"), "{\"inbound_rules\":[" + rules + "],\"outbound_rules\":[]}");
        state.apply(
                keys.endpoint("h1", "k8s", "wl-1", "e1"),
                "{\"state\":\"active\",\"name\":\"calip1\",\"profile_ids\":[\"p1\"],\"ipv4_nets\":[\"10.1.0.1/32\"]}");
        return new Calculator(x -> {}).calculate(state, FelixConfig.defaults());
    }

    /** A test's body, with a socket of its own ({@code kernel}) for reading namespace {@code ns}'s table. */
    private interface WithKernel {
        void run(
                String ns, String ref, org.calicojava.felix.agent.Metrics metrics, NftBackend backend, NftKernel kernel)
                throws Exception;
    }

    private static void withKernel(WithKernel body) throws Exception {
        inTwoNamespaces((ns, ref, metrics, backend) -> {
            NftKernel kernel = new NftKernel(Namespace.named(ns));
            try {
                body.run(ns, ref, metrics, backend, kernel);
            } finally {
                kernel.close();
            }
        });
    }

    /** {@code d} applied by {@code backend}, and written whole with nft -f in namespace {@code ref}. */
    private static void both(NftBackend backend, String ref, NftState refState, DesiredDataplane d) throws Exception {
        backend.apply(d);
        nftF(ref, refState, new NftModel().build(d));
    }

    private static List<Long> handles(NftKernel kernel) {
        return Arrays.stream(kernel.inetTable(NftNames.TABLE).handles().get(CHAIN))
                .boxed()
                .toList();
    }

    /** An empty table read back, then profile(22, 80, 443) applied both ways; the chain's handles. */
    private static List<Long> firstProfile(NftBackend backend, String ref, NftState refState, NftKernel kernel)
            throws Exception {
        assertThat(backend.refresh()).isZero();
        both(backend, ref, refState, profile(22, 80, 443));
        return handles(kernel);
    }

    @Test
    void aChangedChainKeepsItsFirstRulesAndIsEditedByHandle() throws Exception {
        withKernel((ns, ref, metrics, backend, kernel) -> {
            NftState refState = new NftState();
            List<Long> h = firstProfile(backend, ref, refState, kernel);
            assertThat(h).hasSize(6);

            DesiredDataplane d = profile(22, 80, 443, 8080); // one rule appended
            both(backend, ref, refState, d);
            assertThat(list(ns)).isEqualTo(list(ref)).contains("tcp dport 8080 meta mark");
            List<Long> appended = handles(kernel);
            assertThat(appended).hasSize(8).startsWith(h.toArray(Long[]::new));

            d = profile(22, 81, 443, 8080); // the second changes: the first stays, the others are replaced
            both(backend, ref, refState, d);
            assertThat(list(ns))
                    .isEqualTo(list(ref))
                    .contains("tcp dport 81 meta mark")
                    .doesNotContain("dport 80 ");
            assertThat(handles(kernel))
                    .as("replaced in place: the kernel keeps the handle of a replaced rule")
                    .isEqualTo(appended);

            d = profile(22); // the others deleted by handle
            both(backend, ref, refState, d);
            assertThat(list(ns)).isEqualTo(list(ref)).doesNotContain("dport 443");
            assertThat(handles(kernel)).containsExactly(h.get(0), h.get(1));
            assertThat(metrics.counter("felix_nft_netlink_commits")).isEqualTo(4);
            assertThat(metrics.counter("felix_nft_stale_handles")).isZero();
            assertThat(backend.refresh()).as("no drift").isZero();
        });
    }

    /**
     * Another program deletes one of our rules between two changes (before a read-back finds it): the edit that
     * names its handle is refused (ENOENT, nothing applied), and the same change goes again with the chain written
     * whole, in the same apply.
     */
    @Test
    void aHandleAnotherProgramMadeStaleGivesTheChainWrittenWhole() throws Exception {
        withKernel((ns, ref, metrics, backend, kernel) -> {
            NftState refState = new NftState();
            List<Long> h = firstProfile(backend, ref, refState, kernel);
            Sh.ok(Sh.in(ns, "nft", "delete", "rule", "inet", "calico", CHAIN, "handle", "" + h.get(4)));

            DesiredDataplane d = profile(22, 81, 443);
            both(backend, ref, refState, d);
            assertThat(list(ns)).isEqualTo(list(ref)).contains("tcp dport 443 meta mark");
            assertThat(metrics.counter("felix_nft_stale_handles")).isEqualTo(1);
            assertThat(metrics.counter("felix_nft_errors")).isZero();
            assertThat(handles(kernel)).as("written whole: all new").doesNotContainAnyElementsOf(h);

            List<Long> whole = handles(kernel);
            d = profile(22, 81, 444); // known again from the retry's echo
            both(backend, ref, refState, d);
            assertThat(list(ns)).isEqualTo(list(ref));
            assertThat(handles(kernel)).isEqualTo(whole);
            assertThat(metrics.counter("felix_nft_stale_handles")).isEqualTo(1);
        });
    }

    /**
     * The first transaction into an empty table (two batches, no echo: the cold start's) leaves handles unknown, so
     * the chain's next change flushes and fills it; a new backend on the same table (a restart) learns them from its
     * first read-back and edits.
     */
    @Test
    void aFreshTableFillsTheChainOnceAndARestartReadsTheHandlesBack() throws Exception {
        withKernel((ns, ref, metrics, backend, kernel) -> {
            assertThat(backend.refresh()).isZero();
            boolean[] guarded = {false};
            backend.apply(profile(22, 80, 443), () -> guarded[0] = true);
            assertThat(guarded[0]).isTrue();
            assertThat(metrics.counter("felix_nft_netlink_commits"))
                    .as("the fresh table's two batches")
                    .isEqualTo(2);
            List<Long> fresh = handles(kernel);

            backend.apply(profile(22, 80, 444));
            List<Long> filled = handles(kernel);
            assertThat(filled).as("handles unknown: flushed and filled").doesNotContainAnyElementsOf(fresh);

            backend.apply(profile(22, 80, 445));
            assertThat(handles(kernel)).as("known from the fill's echo").isEqualTo(filled);

            NftKernel restarted = new NftKernel(Namespace.named(ns));
            try {
                restarted.writer("netlink");
                NftBackend again = new NftBackend(
                        (argv, stdin, timeout) -> {
                            throw new AssertionError("ran " + argv);
                        },
                        new org.calicojava.felix.agent.Metrics(),
                        restarted);
                assertThat(again.refresh()).isZero();
                again.apply(profile(22, 80, 446));
                assertThat(handles(kernel)).as("read back: edited").isEqualTo(filled);
                assertThat(list(ns)).contains("tcp dport 446 meta mark").doesNotContain("dport 445");
            } finally {
                restarted.close();
            }
        });
    }

    /**
     * The {@code nft} writer's form of an edit ({@code replace rule ... handle N}, {@code delete rule ... handle N},
     * {@code add rule}), from handles read back with {@code nft -j list table}: {@code nft -f} runs it, and the table
     * lists as the chain written whole does.
     */
    @Test
    void theNftTextOfAnEditRunsInNft() throws Exception {
        inTwoNamespaces((ns, ref, metrics, backend) -> {
            NftModel model = new NftModel();
            for (String n : new String[] {ns, ref}) {
                nftF(n, new NftState(), model.build(profile(22, 80, 443)));
            }
            for (DesiredDataplane d : new DesiredDataplane[] {profile(22, 81, 443, 8080), profile(22)}) {
                NftRuleset want = model.build(d);
                NftState read = NftReadback.parse(Sh.ok(Sh.in(ns, "nft", "-j", "list", "table", "inet", "calico")));
                String script = read.diff(want).script();
                assertThat(script)
                        .contains(" rule inet calico " + CHAIN + " handle ")
                        .doesNotContain("flush chain inet calico " + CHAIN);
                nftF(ns, read, want);
                NftState whole = NftReadback.parse(Sh.ok(Sh.in(ref, "nft", "-j", "list", "table", "inet", "calico")));
                whole.handles().clear(); // flush and fill
                nftF(ref, whole, want);
                assertThat(list(ns)).isEqualTo(list(ref));
            }
            assertThat(list(ns)).contains("tcp dport 22 meta mark").doesNotContain("dport 443");
        });
    }

    /**
     * A chain whose rules include port lists (each rule's anonymous set goes into the batch before the rule, so the
     * rules' messages are not consecutive): the echoed handles are still recorded, and the chain is edited.
     */
    @Test
    void aChainWithPortListsLearnsItsHandlesToo() throws Exception {
        String lists = "{\"action\":\"allow\",\"protocol\":\"tcp\",\"dst_ports\":[8443,9443]},"
                + "{\"action\":\"allow\",\"protocol\":\"udp\",\"dst_ports\":[\"1000:2000\",3000]},";
        withKernel((ns, ref, metrics, backend, kernel) -> {
            assertThat(backend.refresh()).isZero();
            backend.apply(profile(lists, 22, 80));
            List<Long> h = handles(kernel);
            assertThat(h).hasSize(8);
            backend.apply(profile(lists, 22, 81)); // the last port rule replaced: every handle kept
            assertThat(handles(kernel)).isEqualTo(h);
            assertThat(list(ns)).contains("tcp dport { 8443, 9443 }", "tcp dport 81 meta mark");
            backend.apply(profile(lists.replace("9443", "9444"), 22, 81)); // the first list changes
            assertThat(handles(kernel)).as("flushed and filled").doesNotContainAnyElementsOf(h);
            assertThat(list(ns)).contains("tcp dport { 8443, 9444 }");
        });
    }

    /**
     * A read-back that started before an edit and is adopted after it (the refresher reads on its own thread) shows
     * the chain as it was before: adopting it keeps the handles the edit's echo reported for that chain, so its next
     * change is an edit by the right handles, not a fill.
     */
    @Test
    void aReadBackThatOverlappedAnEditKeepsTheEditsHandles() throws Exception {
        withKernel((ns, ref, metrics, backend, kernel) -> {
            assertThat(backend.refresh()).isZero();
            backend.apply(profile(22, 80, 443));
            Sh.ok(Sh.in(ns, "nft", "add", "table", "inet", "other")); // someone else commits: the next read reads
            PolicyBackend.Snapshot before = backend.read();
            backend.apply(profile(22, 80, 443, 8080)); // two rules appended, their handles echoed
            List<Long> edited = handles(kernel);
            assertThat(edited).hasSize(8);
            assertThat(backend.adopt(before))
                    .as("the write it overlapped is no drift")
                    .isZero();

            backend.apply(profile(22, 80, 443, 8081)); // the appended rules replaced by handle
            assertThat(handles(kernel))
                    .as("edited with the handles the echo reported, not the read-back's six")
                    .isEqualTo(edited);
            assertThat(list(ns)).contains("tcp dport 8081 meta mark").doesNotContain("dport 8080");
            assertThat(metrics.counter("felix_nft_stale_handles")).isZero();
        });
    }
}
