package org.calicojava.ctl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.calicojava.ipam.AllocationBlock;
import org.calicojava.ipam.Ipam;
import org.calicojava.model.Cidr;
import org.calicojava.model.Keys;
import org.calicojava.model.LogText;
import org.calicojava.store.KeyValue;
import org.calicojava.store.KvStore;

/**
 * Releases the leaked addresses of an {@link IpamReport} that are still leaked: an address is released only if, when
 * its block is read now, it is still allocated to the report's handle with the report's attributes, and no user has it
 * now (the users as {@link IpamCheck#users} finds them, read once per attempt after every block of it); the release
 * is {@link Ipam#releaseIfUnchanged}, one transaction per block conditioned on the block's mod revision (and its
 * handle records'). A lost compare-and-swap reads the block and the users again, up to {@value #ATTEMPTS} times.
 */
final class ReportRelease {
    static final int ATTEMPTS = 5;

    /** What became of one address. */
    enum Outcome {
        RELEASED("released"),
        ALREADY_FREE("already free"),
        IN_USE("in use"),
        REALLOCATED("reallocated"),
        OTHER_BLOCK("in another block"),
        UNRECORDED("no record of its user"),
        CHANGED("changed concurrently"),
        DAMAGED("damaged");

        /** As the summary counts it. */
        final String label;

        Outcome(String label) {
            this.label = label;
        }

        /** Whether the address is free now, as the report wanted. */
        boolean done() {
            return this == RELEASED || this == ALREADY_FREE;
        }
    }

    /** One address's outcome, with why (one line, its untrusted parts escaped). */
    record Result(IpamCheck.Allocation allocation, Outcome outcome, String why) {
        /** The line printed for it. */
        String line() {
            String ip = allocation.address().ip();
            return switch (outcome) {
                case RELEASED ->
                    "released " + ip + " (" + handle(allocation.handle()) + ", block " + allocation.block() + ")";
                case ALREADY_FREE -> "already free " + ip + (why.isEmpty() ? "" : " (" + why + ")");
                default -> "skipped " + ip + ": " + why;
            };
        }
    }

    private final KvStore store;
    private final Keys keys;
    private final Ipam ipam;

    /** The revision the report's snapshot was read at. */
    private final long reportRevision;

    ReportRelease(KvStore store, Keys keys, long reportRevision) {
        this.store = store;
        this.keys = keys;
        this.ipam = new Ipam(store, keys);
        this.reportRevision = reportRevision;
    }

    /** One block of the report: its addresses not decided yet, and the results of those that are. */
    private static final class Work {
        final Cidr block;
        final Map<Cidr, IpamCheck.Allocation> pending = new LinkedHashMap<>();
        final Map<Cidr, Result> results = new TreeMap<>();
        /** This attempt's read of the block and the addresses that may be released from it, if any. */
        Ipam.Versioned read;

        List<IpamCheck.Allocation> candidates = List.of();

        Work(Cidr block) {
            this.block = block;
        }

        void done(IpamCheck.Allocation a, Outcome outcome, String why) {
            pending.remove(a.address());
            results.put(a.address(), new Result(a, outcome, why));
        }

        void finish(Outcome outcome, String why) {
            List.copyOf(pending.values()).forEach(a -> done(a, outcome, why));
        }
    }

    /**
     * Works through {@code leaked} in attempts over every block not done yet: each attempt reads those blocks, then
     * (when any address may be released) the users once, after all of them, then releases from each block in its own
     * transaction. A block whose transaction lost is read again in the next attempt, up to {@value #ATTEMPTS}. Each
     * address's result goes to {@code each} once its block and every block before it are done, in address order.
     */
    void run(List<IpamCheck.Allocation> leaked, Consumer<Result> each) {
        TreeMap<Cidr, Work> blocks = new TreeMap<>();
        for (IpamCheck.Allocation a : leaked) {
            blocks.computeIfAbsent(a.block(), Work::new).pending.put(a.address(), a);
        }
        boolean finished = false;
        try {
            attempts(blocks, each);
            finished = true;
        } finally {
            if (!finished) { // etcd failed (or an interrupt): what was done is still told, released addresses above all
                blocks.values().forEach(w -> w.results.values().forEach(each));
            }
        }
    }

    private void attempts(TreeMap<Cidr, Work> blocks, Consumer<Result> each) {
        List<Work> open = new ArrayList<>(blocks.values());
        for (int attempt = 1; attempt <= ATTEMPTS && !open.isEmpty(); attempt++) {
            if (attempt > 1) {
                pause(attempt - 1); // a block (or a handle record) changed since it was read: read both again
            }
            List<Work> releasing = new ArrayList<>();
            for (Work w : open) {
                if (read(w)) {
                    releasing.add(w);
                }
            }
            if (!releasing.isEmpty()) {
                Map<Cidr, List<String>> users = IpamCheck.users(keys, hosts()); // after every block was read
                releasing.forEach(w -> release(w, users));
            }
            open.removeIf(w -> w.pending.isEmpty());
            emit(blocks, each);
        }
        open.forEach(w -> w.finish(
                Outcome.CHANGED,
                "block " + w.block + " changed concurrently on each of " + ATTEMPTS
                        + " attempts (run ipam check again)"));
        emit(blocks, each);
    }

    /** Hands on the results of the blocks done, in address order, up to the first block not done. */
    private static void emit(TreeMap<Cidr, Work> blocks, Consumer<Result> each) {
        while (!blocks.isEmpty() && blocks.firstEntry().getValue().pending.isEmpty()) {
            blocks.pollFirstEntry().getValue().results.values().forEach(each);
        }
    }

    /**
     * Reads the block and decides what it can without the users; true when some addresses may be released (then
     * {@link Work#read} and {@link Work#candidates} are set).
     */
    private boolean read(Work w) {
        Cidr block = w.block;
        Optional<Ipam.Versioned> read;
        try {
            read = ipam.readBlock(block);
        } catch (IllegalArgumentException e) {
            w.finish(Outcome.DAMAGED, "block " + block + " is damaged: " + LogText.oneLine(e.getMessage()));
            return false;
        }
        if (read.isEmpty()) {
            gone(w);
            return false;
        }
        List<IpamCheck.Allocation> candidates = new ArrayList<>();
        AllocationBlock b = read.get().block();
        boolean changedSinceReport = read.get().modRevision() > reportRevision;
        for (IpamCheck.Allocation a : List.copyOf(w.pending.values())) {
            AllocationBlock.Attribute now = b.attributeOf(b.ordinalOf(a.address()));
            String unrecorded = now == null ? null : AddressOwners.unrecorded(now.handleId(), now.secondary());
            if (now == null) {
                w.done(a, Outcome.ALREADY_FREE, "");
            } else if (!Objects.equals(now.handleId(), a.handle())) {
                w.done(
                        a,
                        Outcome.REALLOCATED,
                        "reallocated to " + LogText.oneLine(handle(now.handleId())) + " (the report has "
                                + handle(a.handle()) + ")");
            } else if (!now.secondary().equals(a.attributes())) {
                w.done(
                        a,
                        Outcome.REALLOCATED,
                        "allocated again to " + handle(a.handle()) + " with other attributes "
                                + LogText.oneLine(new TreeMap<>(now.secondary()).toString()));
            } else if (unrecorded != null) {
                w.done(a, Outcome.UNRECORDED, unrecorded);
            } else if (now.handleId() == null && changedSinceReport) {
                // no handle tells this allocation from a new one with the same attributes (Docker's): only a
                // block unchanged since the report still holds the allocation the report saw
                w.done(
                        a,
                        Outcome.CHANGED,
                        "block " + block + " changed since the report (revision "
                                + read.get().modRevision()
                                + " > " + reportRevision + ") and the address has no handle: it may be"
                                + " allocated again; run ipam check again");
            } else {
                candidates.add(a);
            }
        }
        w.read = read.get();
        w.candidates = candidates;
        return !candidates.isEmpty();
    }

    /**
     * Releases the block's candidates that no user has, in one transaction conditioned on the block as read; when
     * that loses, they stay pending for the next attempt.
     */
    private void release(Work w, Map<Cidr, List<String>> users) {
        List<IpamCheck.Allocation> candidates = new ArrayList<>(w.candidates);
        for (IpamCheck.Allocation a : List.copyOf(candidates)) {
            List<String> who = users.get(a.address());
            if (who != null) {
                candidates.remove(a);
                w.done(a, Outcome.IN_USE, "now in use by " + LogText.oneLine(String.join(" and ", who)));
            }
        }
        if (candidates.isEmpty()) {
            return;
        }
        boolean released;
        try {
            released = ipam.releaseIfUnchanged(
                    w.read,
                    candidates.stream().map(IpamCheck.Allocation::address).toList());
        } catch (IllegalArgumentException e) { // a damaged handle record
            candidates.forEach(a -> w.done(a, Outcome.DAMAGED, LogText.oneLine(e.getMessage())));
            return;
        }
        if (released) {
            candidates.forEach(a -> w.done(a, Outcome.RELEASED, ""));
        }
    }

    /**
     * The report's block has no key: its addresses are free, unless another block holds them (the report named a block
     * the datastore does not have): then they are not touched.
     */
    private void gone(Work w) {
        Cidr block = w.block;
        List<Cidr> blocks = new ArrayList<>();
        for (KeyValue e : store.list(keys.ipamBlocks(block.version())).kvs()) {
            try {
                blocks.add(Cidr.parse(Keys.lastSegment(e.key()), true));
            } catch (IllegalArgumentException notABlockKey) {
                // holds nothing IPAM would use
            }
        }
        for (IpamCheck.Allocation a : List.copyOf(w.pending.values())) {
            Optional<Cidr> other =
                    blocks.stream().filter(b -> b.contains(a.address())).findFirst();
            if (other.isPresent()) {
                w.done(
                        a,
                        Outcome.OTHER_BLOCK,
                        "block " + block + " does not exist, " + other.get()
                                + " holds it (not the report's block: left alone)");
            } else {
                w.done(a, Outcome.ALREADY_FREE, "no block holds it");
            }
        }
    }

    /** The keys under /v1/host: endpoints and the nodes' config, where {@link IpamCheck#users} looks. */
    private TreeMap<String, String> hosts() {
        TreeMap<String, String> kv = new TreeMap<>();
        for (KeyValue e : store.list(keys.hosts()).kvs()) {
            kv.put(e.key(), e.value());
        }
        return kv;
    }

    private static String handle(String id) {
        return id == null ? "no handle" : "handle " + id;
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(10L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted");
        }
    }
}
