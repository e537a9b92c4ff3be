package org.calicojava.felix.nft;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.felix.agent.Metrics;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.dataplane.DataplaneException;
import org.calicojava.felix.dataplane.DriftGate;
import org.calicojava.felix.dataplane.NftKernel;
import org.calicojava.felix.dataplane.PolicyBackend;
import org.calicojava.felix.dataplane.PolicyBackends;
import org.calicojava.process.CommandRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Policy through native nftables, in a table of our own ({@code table inet calico}; no other table is ever read or
 * written). Each {@link #apply} renders the rule model ({@link NftModel}), diffs it against what the table holds
 * ({@link NftState}) and sends the changes as one transaction (atomic: all or nothing; into an empty table two,
 * {@link NftFreshTable}): over netlink
 * ({@link NftNetlinkWriter}, {@link NftKernel#commit}) when the kernel's {@code NftablesWriter} is netlink, with
 * {@code nft -f -} as the fallback when a batch cannot be sent (logged once), or always {@code nft -f -}.
 * {@link #refresh} reads the table back (over netlink, {@link NftKernel}: chains, rule comments, set and map elements;
 * or with {@code nft -j list table inet calico}), so the next apply rewrites what drifted; nothing is flushed on start (the first refresh takes over what a previous run left). A refresh is skipped
 * while the kernel's nftables generation shows that nothing was committed since the table last read back as we
 * believe it to be ({@link DriftGate}). Owned by the dataplane thread.
 */
public final class NftBackend implements PolicyBackend {
    private static final Logger LOG = LoggerFactory.getLogger(NftBackend.class);
    private final CommandRunner runner;
    private final Metrics metrics;
    private final NftModel model = new NftModel();
    private NftState actual = new NftState();
    private int sets;
    /** Incremented by every transaction (successful or not); a read-back that started before one is stale. */
    private volatile long generation;
    /**
     * The generation after the last transaction that failed: the record of the table was cleared then, so a read-back
     * that started before it cannot be adopted (its objects could be kept as "ours" only from that record).
     */
    private long failedAt = -1;

    /** False on a kernel without IPv6 ({@link PolicyBackends#KERNEL_IPV6}): IPv6 policy is left out of the table. */
    private final boolean kernelIpv6;

    private boolean v6Unavailable;
    private final DriftGate gate;

    /** How the table is read back: null when it does not exist. */
    interface Reader {
        NftState read();
    }

    /** Reads back through {@code nft -j list table} and never skips a refresh (no generation to go by). */
    public NftBackend(CommandRunner runner, Metrics metrics) {
        this(runner, metrics, PolicyBackends.KERNEL_IPV6, DriftGate.UNKNOWN, null);
    }

    /** Reads back over netlink and skips refreshes while the kernel's generation shows nothing changed. */
    public NftBackend(CommandRunner runner, Metrics metrics, NftKernel kernel) {
        this(
                runner,
                metrics,
                PolicyBackends.KERNEL_IPV6,
                kernel::generation,
                () -> NftReadback.from(kernel.inetTable(NftNames.TABLE)));
        this.kernel = kernel;
        commits.sender = kernel::commit;
        Thread warm = new Thread(
                () -> {
                    try {
                        kernel.openWrites();
                        NftNetlinkWriter.warmUp();
                    } catch (RuntimeException e) {
                        LOG.debug("nftables netlink warm-up: {}", e.toString());
                    }
                },
                "felix-nft-warmup");
        warm.setDaemon(true);
        warm.setPriority(Thread.MIN_PRIORITY);
        warm.start();
    }

    /** Where transactions go over netlink (when its {@code NftablesWriter} is netlink); null: nft -f only. */
    private NftKernel kernel;

    private final NftCommits commits;

    /** Sends netlink batches with {@code s} instead of the kernel's write socket (for tests of the fallback). */
    void sendBatchesWith(NftCommits.BatchSender s) {
        commits.sender = s;
    }

    NftBackend(CommandRunner runner, Metrics metrics, boolean kernelIpv6) {
        this(runner, metrics, kernelIpv6, DriftGate.UNKNOWN, null);
    }

    /** {@code reader} null: {@code nft -j list table} through {@code runner}. */
    NftBackend(
            CommandRunner runner,
            Metrics metrics,
            boolean kernelIpv6,
            java.util.function.LongSupplier nftGeneration,
            Reader reader) {
        this.runner = runner;
        this.metrics = metrics;
        this.commits = new NftCommits(runner, metrics);
        this.kernelIpv6 = kernelIpv6;
        this.gate = new DriftGate(nftGeneration);
        this.reader = reader != null ? reader : this::listJson;
    }

    private final Reader reader;

    /**
     * Whether nft works here (the binary exists and the kernel accepts our table): a check-only transaction, which
     * is cheap at any ruleset size ({@code nft list tables} fetches the whole ruleset).
     */
    public static boolean usable(CommandRunner runner) {
        try {
            return runner.run(List.of("nft", "-c", "add", "table", NftNames.FAMILY, NftNames.TABLE), null)
                    .ok();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public String name() {
        return "nftables";
    }

    /**
     * A read-back, the write generation and the kernel's nftables generation it started at; state null: skipped, the
     * kernel's generation showed nothing changed.
     */
    private record Snapshot(NftState state, long generation, long kernelGeneration) implements PolicyBackend.Snapshot {}

    @Override
    public Snapshot read() {
        long g = generation;
        long k = gate.now();
        return new Snapshot(gate.unchanged(k) ? null : readState(), g, k);
    }

    /**
     * Takes a read-back; objects written since it started (it may or may not show them) keep what we know of them,
     * so a stream of updates never makes every read-back stale.
     */
    @Override
    public int adopt(PolicyBackend.Snapshot snapshot) {
        if (!(snapshot instanceof Snapshot s)) {
            throw new IllegalArgumentException("not an nftables read-back: " + snapshot);
        }
        if (s.generation() < failedAt) {
            return -1; // from before a transaction failed: what the agent knew then is cleared, read it all again
        }
        if (s.state() == null) {
            metrics.inc("felix_refreshes_skipped");
            touched.clear(); // one read-back at a time: the next takes its generation from now on
            return 0;
        }
        if (s.generation() != generation) {
            gate.forget();
            if (touched.isEmpty() || touched.peekFirst().generation() > s.generation() + 1) {
                return -1; // forgot what was written meanwhile
            }
            NftState read = s.state();
            for (Touched t : touched) {
                if (t.generation() > s.generation()) {
                    keepOurs(t.chains(), actual.chains(), read.chains());
                    keepOurs(t.chains(), actual.handles(), read.handles());
                    keepOurs(t.sets(), actual.sets(), read.sets());
                    keepOurs(t.maps(), actual.maps(), read.maps());
                }
            }
        }
        touched.clear();
        if (s.generation() == generation) {
            gate.verified(s.kernelGeneration());
        }
        return take(s.state());
    }

    private static <V> void keepOurs(Set<String> names, Map<String, V> ours, Map<String, V> read) {
        for (String n : names) {
            V v = ours.get(n);
            if (v == null) {
                read.remove(n);
            } else {
                read.put(n, v);
            }
        }
    }

    /** What one transaction wrote (names of chains, sets, maps), for adopting read-backs that overlap it. */
    private record Touched(long generation, Set<String> chains, Set<String> sets, Set<String> maps) {}

    private final java.util.ArrayDeque<Touched> touched = new java.util.ArrayDeque<>();
    static final int MAX_TOUCHED = 10_000;

    private void remember(NftState.Diff diff, NftRuleset want) {
        Set<String> chains = new java.util.HashSet<>(diff.deletedChains());
        diff.written().forEach(c -> chains.add(c.name()));
        Set<String> sets = new java.util.HashSet<>(diff.deletedSets());
        diff.changedSets().forEach(x -> sets.add(x.name()));
        want.sets().keySet().forEach(n -> {
            if (!actual.sets().containsKey(n)) {
                sets.add(n);
            }
        });
        Set<String> maps = new java.util.HashSet<>(diff.deletedMaps());
        maps.addAll(diff.changedMaps().keySet());
        want.maps().keySet().forEach(n -> {
            if (!actual.maps().containsKey(n)) {
                maps.add(n);
            }
        });
        if (touched.size() >= MAX_TOUCHED) {
            touched.pollFirst();
        }
        touched.addLast(new Touched(generation, chains, sets, maps));
    }

    @Override
    public int refresh() {
        long k = gate.now();
        if (gate.unchanged(k)) {
            metrics.inc("felix_refreshes_skipped");
            return 0;
        }
        long g = generation;
        NftState read = readState();
        touched.removeIf(t -> t.generation() <= g);
        gate.verified(k);
        return take(read);
    }

    /** Runs on any thread: no state of ours touched. */
    private NftState readState() {
        return reader.read();
    }

    private NftState listJson() {
        CommandRunner.Result r =
                runner.run(List.of("nft", "-j", "list", "table", NftNames.FAMILY, NftNames.TABLE), null);
        NftState read;
        if (r.ok()) {
            try {
                read = NftReadback.parse(r.out());
            } catch (IllegalArgumentException e) {
                throw new DataplaneException(e.getMessage());
            }
        } else if (r.err().contains("No such file or directory")) {
            read = new NftState(); // no table yet
        } else {
            throw new DataplaneException("nft list table " + NftNames.QUALIFIED + ": " + r.firstError());
        }
        return read;
    }

    private int take(NftState read) {
        List<String> changed = drift(actual, read);
        if (!changed.isEmpty()) {
            LOG.warn(
                    "nftables {}: {} object(s) changed outside felix, rewriting: {}{}",
                    NftNames.QUALIFIED,
                    changed.size(),
                    String.join(", ", changed.subList(0, Math.min(5, changed.size()))),
                    changed.size() > 5 ? ", ..." : "");
        }
        actual = read;
        return changed.size();
    }

    /** Objects we wrote that now read back differently (or are gone). */
    static List<String> drift(NftState mine, NftState read) {
        List<String> changed = new ArrayList<>();
        diff("chain ", mine.chains(), read.chains(), changed);
        diff("set ", mine.sets(), read.sets(), changed);
        diff("map ", mine.maps(), read.maps(), changed);
        return changed;
    }

    private static <V> void diff(String what, Map<String, V> mine, Map<String, V> read, List<String> out) {
        mine.forEach((k, v) -> {
            V r = read.get(k);
            if (r == null) {
                out.add(what + k + " (deleted)");
            } else if (!r.equals(v)) {
                out.add(what + k);
            }
        });
    }

    @Override
    public void apply(DesiredDataplane d) {
        apply(d, null);
    }

    /**
     * {@inheritDoc} Into an empty table over netlink the transaction is cut in two ({@link NftFreshTable}) and
     * {@code guarded} runs between the halves, when every workload interface is dropped as unknown.
     */
    @Override
    public void apply(DesiredDataplane d, Runnable guarded) {
        long m0 = System.nanoTime();
        NftRuleset want;
        try {
            want = model.build(kernelIpv6 ? d : ipv4Only(d));
        } catch (IllegalArgumentException e) {
            throw new DataplaneException(e.getMessage());
        }
        sets = want.sets().size();
        boolean netlink = kernel != null && kernel.netlinkWriter();
        NftState.Diff diff = actual.diff(want, netlink); // nft -f: no edits by handle (they make nft fetch the table)
        long t0 = System.nanoTime();
        metrics.addSeconds("felix_nft_model_seconds", (t0 - m0) / 1e9);
        if (diff.isEmpty()) {
            run(guarded);
            return;
        }
        generation++;
        remember(diff, want);
        long before = gate.now();
        boolean empty = actual.chains().isEmpty()
                && actual.sets().isEmpty()
                && actual.maps().isEmpty();
        List<List<NftOp>> parts =
                guarded != null && netlink && empty ? NftFreshTable.split(diff.ops()) : List.of(diff.ops());
        // the kernel reports new rules' handles, except in a fresh table's transactions (80,000 rules at 10,000
        // endpoints) and other large ones: those chains are flushed and filled when they next change
        Map<String, long[]> learned = new java.util.HashMap<>();
        String error;
        if (parts.size() == 2) {
            error = commits.netlink(parts.get(0), diff.changes(), false, learned);
            if (NftCommits.FALLBACK.equals(error)) {
                parts = List.of(diff.ops()); // nothing committed: all of it with nft -f
                error = commits.nftF(diff.script(), diff.changes() + " changes");
            }
        } else if (!netlink) {
            error = commits.nftF(diff.script(), diff.changes() + " changes");
        } else {
            error = commits.netlink(diff.ops(), diff.changes(), NftCommits.echo(diff.ops()), learned);
            boolean fallback = NftCommits.FALLBACK.equals(error);
            if ((fallback || commits.staleHandle())
                    && diff.ops().stream().anyMatch(op -> op instanceof NftOp.EditChain)) {
                // a rule we hold the handle of was deleted or replaced by another program before a read-back found
                // it; or the batch may or may not have been committed, and edits cannot be sent twice: the same
                // changes with every changed chain flushed and filled
                if (!fallback) {
                    metrics.inc("felix_nft_stale_handles");
                    LOG.info("nftables {}: {}; writing the changed chains whole", NftNames.QUALIFIED, error);
                }
                diff = actual.diff(want, false); // the same objects as the edits' diff, remembered above
                if (!fallback) {
                    error = commits.netlink(diff.ops(), diff.changes(), NftCommits.echo(diff.ops()), learned);
                }
            }
            if (NftCommits.FALLBACK.equals(error)) {
                learned.clear();
                error = commits.nftF(diff.script(), diff.changes() + " changes");
            }
        }
        if (error == null && parts.size() == 2) {
            run(guarded);
            guarded = null;
            touchedAgain(); // a read-back that started before the second half is stale
            error = commits.netlink(parts.get(1), diff.changes(), false, learned);
            if (NftCommits.FALLBACK.equals(error)) { // the first half is in: the second stands alone
                error = commits.nftF(NftScript.of(parts.get(1)), "the endpoints' half");
            }
        }
        // and so is one that started while a transaction was in flight: it may not show it
        touchedAgain();
        metrics.addSeconds("felix_nft_seconds", (System.nanoTime() - t0) / 1e9);
        if (error != null) {
            metrics.inc("felix_nft_errors");
            failedAt = generation;
            gate.forget();
            actual.clear(); // unknown now: the next refresh reads it back
            throw new DataplaneException(error);
        }
        actual.commit(diff, want, learned);
        gate.written(before, gate.now(), parts.size()); // one transaction per part
        LOG.debug(
                "nftables: {} changes ({} chains written, {} deleted)",
                diff.changes(),
                diff.written().size(),
                diff.deletedChains().size());
        run(guarded);
    }

    /**
     * The objects of the transaction just sent, touched again: a read-back that started before now (with the
     * generation before this one) is stale and keeps what we know of them. Read-backs start on a thread of their own,
     * so one may take its generation after a transaction's and still read the table before that commits.
     */
    private void touchedAgain() {
        generation++;
        Touched last = touched.peekLast();
        if (touched.size() >= MAX_TOUCHED) {
            touched.pollFirst();
        }
        touched.addLast(new Touched(generation, last.chains(), last.sets(), last.maps()));
    }

    private static void run(Runnable r) {
        if (r != null) {
            r.run();
        }
    }

    /** The IPv4 part of {@code d} (as with Ipv6Support off), with one warning when it has IPv6 policy. */
    private DesiredDataplane ipv4Only(DesiredDataplane d) {
        if (!d.filter6().isEmpty() && !v6Unavailable) {
            v6Unavailable = true;
            LOG.warn("IPv6 is disabled in this kernel: IPv6 policy not programmed in {}", NftNames.QUALIFIED);
        }
        Map<String, org.calicojava.felix.calc.IpSetSpec> sets = new java.util.HashMap<>();
        d.ipsets().forEach((k, v) -> {
            if (v.version() == 4) {
                sets.put(k, v);
            }
        });
        return new DesiredDataplane(
                d.routes(), d.interfaces(), d.filter(), d.nat(), sets, d.raw(), Map.of(), Map.of(), Map.of());
    }

    @Override
    public int setCount() {
        return sets;
    }

    /** How many transactions' objects are remembered for read-backs that overlap them (for tests). */
    int touchedCount() {
        return touched.size();
    }

    /** What we believe the table holds (for tests). */
    Set<String> chainNames() {
        return actual.chains().keySet();
    }
}
