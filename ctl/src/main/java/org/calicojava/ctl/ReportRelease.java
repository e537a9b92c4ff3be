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
 * now (the users as {@link IpamCheck#users} finds them, read after the block); the release is
 * {@link Ipam#releaseIfUnchanged}, one transaction per block conditioned on the block's mod revision (and its handle
 * records'). A lost compare-and-swap reads the block and the users again, up to {@value #ATTEMPTS} times.
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

    /**
     * Works through {@code leaked} block by block (in address order), handing each address's result to {@code each}
     * when its block is done, in address order.
     */
    void run(List<IpamCheck.Allocation> leaked, Consumer<Result> each) {
        Map<Cidr, List<IpamCheck.Allocation>> byBlock = new TreeMap<>();
        for (IpamCheck.Allocation a : leaked) {
            byBlock.computeIfAbsent(a.block(), b -> new ArrayList<>()).add(a);
        }
        byBlock.forEach((block, wanted) -> {
            Map<Cidr, Result> results = new TreeMap<>();
            block(block, wanted, r -> results.put(r.allocation().address(), r));
            results.values().forEach(each);
        });
    }

    private void block(Cidr block, List<IpamCheck.Allocation> wanted, Consumer<Result> each) {
        Map<Cidr, IpamCheck.Allocation> pending = new LinkedHashMap<>();
        wanted.forEach(a -> pending.put(a.address(), a));
        for (int attempt = 1; attempt <= ATTEMPTS && !pending.isEmpty(); attempt++) {
            Optional<Ipam.Versioned> read;
            try {
                read = ipam.readBlock(block);
            } catch (IllegalArgumentException e) {
                finish(
                        pending,
                        Outcome.DAMAGED,
                        "block " + block + " is damaged: " + LogText.oneLine(e.getMessage()),
                        each);
                return;
            }
            if (read.isEmpty()) {
                gone(block, pending, each);
                return;
            }
            List<IpamCheck.Allocation> candidates = new ArrayList<>();
            AllocationBlock b = read.get().block();
            boolean changedSinceReport = read.get().modRevision() > reportRevision;
            for (IpamCheck.Allocation a : List.copyOf(pending.values())) {
                AllocationBlock.Attribute now = b.attributeOf(b.ordinalOf(a.address()));
                String unrecorded = now == null ? null : AddressOwners.unrecorded(now.handleId(), now.secondary());
                if (now == null) {
                    done(pending, a, Outcome.ALREADY_FREE, "", each);
                } else if (!Objects.equals(now.handleId(), a.handle())) {
                    done(
                            pending,
                            a,
                            Outcome.REALLOCATED,
                            "reallocated to " + LogText.oneLine(handle(now.handleId())) + " (the report has "
                                    + handle(a.handle()) + ")",
                            each);
                } else if (!now.secondary().equals(a.attributes())) {
                    done(
                            pending,
                            a,
                            Outcome.REALLOCATED,
                            "allocated again to " + handle(a.handle()) + " with other attributes "
                                    + LogText.oneLine(new TreeMap<>(now.secondary()).toString()),
                            each);
                } else if (unrecorded != null) {
                    done(pending, a, Outcome.UNRECORDED, unrecorded, each);
                } else if (now.handleId() == null && changedSinceReport) {
                    // no handle tells this allocation from a new one with the same attributes (Docker's): only a
                    // block unchanged since the report still holds the allocation the report saw
                    done(
                            pending,
                            a,
                            Outcome.CHANGED,
                            "block " + block + " changed since the report (revision "
                                    + read.get().modRevision()
                                    + " > " + reportRevision + ") and the address has no handle: it may be"
                                    + " allocated again; run ipam check again",
                            each);
                } else {
                    candidates.add(a);
                }
            }
            if (candidates.isEmpty()) {
                return;
            }
            Map<Cidr, List<String>> users = IpamCheck.users(keys, hosts());
            for (IpamCheck.Allocation a : List.copyOf(candidates)) {
                List<String> who = users.get(a.address());
                if (who != null) {
                    candidates.remove(a);
                    done(
                            pending,
                            a,
                            Outcome.IN_USE,
                            "now in use by " + LogText.oneLine(String.join(" and ", who)),
                            each);
                }
            }
            if (candidates.isEmpty()) {
                return;
            }
            boolean released;
            try {
                released = ipam.releaseIfUnchanged(
                        read.get(),
                        candidates.stream().map(IpamCheck.Allocation::address).toList());
            } catch (IllegalArgumentException e) { // a damaged handle record
                candidates.forEach(a -> done(pending, a, Outcome.DAMAGED, LogText.oneLine(e.getMessage()), each));
                return;
            }
            if (released) {
                candidates.forEach(a -> done(pending, a, Outcome.RELEASED, "", each));
                return;
            }
            pause(attempt); // the block (or a handle record) changed since it was read: read both again
        }
        finish(
                pending,
                Outcome.CHANGED,
                "block " + block + " changed concurrently on each of " + ATTEMPTS + " attempts (run ipam check again)",
                each);
    }

    /**
     * The report's block has no key: its addresses are free, unless another block holds them (the report named a block
     * the datastore does not have): then they are not touched.
     */
    private void gone(Cidr block, Map<Cidr, IpamCheck.Allocation> pending, Consumer<Result> each) {
        List<Cidr> blocks = new ArrayList<>();
        for (KeyValue e : store.list(keys.ipamBlocks(block.version())).kvs()) {
            try {
                blocks.add(Cidr.parse(Keys.lastSegment(e.key()), true));
            } catch (IllegalArgumentException notABlockKey) {
                // holds nothing IPAM would use
            }
        }
        for (IpamCheck.Allocation a : List.copyOf(pending.values())) {
            Optional<Cidr> other =
                    blocks.stream().filter(b -> b.contains(a.address())).findFirst();
            if (other.isPresent()) {
                done(
                        pending,
                        a,
                        Outcome.OTHER_BLOCK,
                        "block " + block + " does not exist, " + other.get()
                                + " holds it (not the report's block: left alone)",
                        each);
            } else {
                done(pending, a, Outcome.ALREADY_FREE, "no block holds it", each);
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

    private static void done(
            Map<Cidr, IpamCheck.Allocation> pending,
            IpamCheck.Allocation a,
            Outcome outcome,
            String why,
            Consumer<Result> each) {
        pending.remove(a.address());
        each.accept(new Result(a, outcome, why));
    }

    private static void finish(
            Map<Cidr, IpamCheck.Allocation> pending, Outcome outcome, String why, Consumer<Result> each) {
        List.copyOf(pending.values()).forEach(a -> done(pending, a, outcome, why, each));
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
