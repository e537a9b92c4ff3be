package org.calicojava.ipam;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.calicojava.model.Cidr;
import org.calicojava.model.IpPool;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.store.Compare;
import org.calicojava.store.KeyValue;
import org.calicojava.store.KvStore;
import org.calicojava.store.Op;

/**
 * Calico's block IPAM over the datastore. A pool is carved into blocks; a host claims a block (affinity) and hands
 * out addresses from it; when its blocks are full it claims another; when the pool has no free block it borrows an
 * address from another host's block unless strict affinity is set. Every write is one compare-and-swap transaction
 * covering the block and the handle, retried on conflict, so concurrent assigners never hand out an address twice.
 * Thread-safe: it holds no state besides the store.
 */
public final class Ipam {
    private static final int MAX_ATTEMPTS = 200;

    private final KvStore store;
    private final Keys keys;
    private final BlockWrite write;

    public Ipam(KvStore store, Keys keys) {
        this.store = store;
        this.keys = keys;
        this.write = new BlockWrite(store, keys);
    }

    /** Parameters of an automatic assignment. */
    public record AutoRequest(String host, String handle, Map<String, String> attrs, int version, Cidr pool) {
        public AutoRequest {
            if (version != 4 && version != 6) {
                throw new IllegalArgumentException("IP version: " + version + " (expected: 4 or 6)");
            }
            attrs = attrs == null ? Map.of() : Map.copyOf(attrs);
        }
    }

    // ---------------------------------------------------------------- reading

    public IpamConfig config() {
        return store.get(keys.ipamConfig())
                .map(kv -> Json.read(kv.value(), IpamConfig.class))
                .orElse(IpamConfig.DEFAULT);
    }

    /** A block as read, with the mod revision of its key (what a compare-and-swap of it is conditioned on). */
    public record Versioned(AllocationBlock block, long modRevision) {}

    /** The block stored under {@code block}'s key, if any; a damaged one is an {@link IllegalArgumentException}. */
    public Optional<Versioned> readBlock(Cidr block) {
        return store.get(keys.ipamBlock(block))
                .map(kv -> new Versioned(AllocationBlock.read(keys, kv.key(), kv.value()), kv.modRevision()));
    }

    /** The blocks affine to {@code host} for an IP version. */
    public List<Cidr> affinities(String host, int version) {
        List<Cidr> out = new ArrayList<>();
        for (KeyValue kv : store.list(keys.ipamAffinities(host, version)).kvs()) {
            out.add(Cidr.parse(Keys.lastSegment(kv.key())));
        }
        return out;
    }

    /** Every block of an IP version (0: both). */
    public List<AllocationBlock> blocks(int version) {
        List<AllocationBlock> out = new ArrayList<>();
        for (int v : version == 0 ? new int[] {4, 6} : new int[] {version}) {
            for (KeyValue kv : store.list(keys.ipamBlocks(v)).kvs()) {
                out.add(AllocationBlock.read(keys, kv.key(), kv.value()));
            }
        }
        return out;
    }

    /** What IPAM knows of one address. */
    public record IpInfo(
            Cidr ip,
            IpPool pool,
            Cidr block,
            String blockHost,
            boolean assigned,
            String handle,
            Map<String, String> attrs) {}

    public IpInfo info(Cidr ip) {
        IpPool pool = Pools.containing(Pools.list(store, keys, ip.version()), ip)
                .orElseThrow(() -> new IpamException(ip.ip() + " is not in any IP pool"));
        Cidr blockCidr = Pools.blockOf(pool, ip);
        Optional<Versioned> vb = readBlock(blockCidr);
        if (vb.isEmpty()) {
            return new IpInfo(ip, pool, blockCidr, null, false, null, Map.of());
        }
        AllocationBlock b = vb.get().block();
        AllocationBlock.Attribute a = b.attributeOf(b.ordinalOf(ip));
        return new IpInfo(
                ip,
                pool,
                blockCidr,
                b.host(),
                a != null,
                a == null ? null : a.handleId(),
                a == null ? Map.of() : a.secondary());
    }

    // ---------------------------------------------------------------- assigning

    /** Assigns one address automatically. */
    public Cidr autoAssign(AutoRequest req) {
        List<IpPool> pools = usablePools(req.version(), req.pool());
        IpamConfig config = config();
        boolean strict = config.strictAffinity();
        String hostKey = req.host() + "/" + req.version();
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            // 1. the block this host last assigned from (no listing on the common path)
            Cidr current = currentBlock.get(hostKey);
            if (current != null && inPools(pools, current)) {
                Optional<Versioned> vb = readBlock(current);
                if (vb.isPresent() && req.host().equals(vb.get().block().host())) {
                    Optional<Cidr> ip = tryAllocateFrom(vb.get(), req);
                    if (ip.isPresent()) {
                        return ip.get();
                    }
                }
                currentBlock.remove(hostKey, current);
            }
            // 2. any other block of this host with room, from one listing of all blocks
            Set<Cidr> taken = new HashSet<>();
            List<Versioned> all = listBlocks(req.version(), taken);
            Optional<Cidr> fromOwn =
                    firstAllocation(all, pools, req, b -> req.host().equals(b.host()));
            if (fromOwn.isPresent()) {
                return fromOwn.get();
            }
            // 3. claim a free block, unless auto-allocation is off or the host has its maximum of blocks
            long owned = all.stream()
                    .filter(v -> req.host().equals(v.block().host()))
                    .count();
            boolean capped = config.blockCap() > 0 && owned >= config.blockCap();
            ClaimResult claimed =
                    config.autoAllocateBlocks() && !capped ? claim(pools, req, taken) : ClaimResult.NONE_FREE;
            if (claimed.ip.isPresent()) {
                return claimed.ip.get();
            }
            if (claimed == ClaimResult.NONE_FREE) {
                // 4. borrow from another host's block
                String noBlock = capped
                        ? "it has max_blocks_per_host (" + config.blockCap() + ") blocks"
                        : config.autoAllocateBlocks() ? "the pool has no free block" : "auto_allocate_blocks is off";
                String full = "no free address for host " + req.host() + ": its blocks are full, " + noBlock;
                if (strict) {
                    throw new IpamException(full + ", and strict affinity forbids borrowing");
                }
                boolean anyFree = all.stream()
                        .anyMatch(v ->
                                inPools(pools, v.block().cidr()) && v.block().freeCount() > 0);
                if (!anyFree && (capped || !config.autoAllocateBlocks())) {
                    throw new IpamException(full + ", and no other host's block has a free address");
                }
                if (!anyFree) {
                    throw new IpamException("IP pool" + (pools.size() > 1 ? "s " : " ")
                            + String.join(
                                    ", ",
                                    pools.stream().map(p -> p.cidr().toString()).toList()) + " exhausted");
                }
                Optional<Cidr> borrowed = firstAllocation(all, pools, req, b -> true);
                if (borrowed.isPresent()) {
                    return borrowed.get();
                }
            }
            backoff(attempt);
        }
        throw new IpamException("could not assign an address after " + MAX_ATTEMPTS + " attempts (heavy contention)");
    }

    /** Host+version -> the block it last assigned from; only a hint, always re-read before use. */
    private final java.util.concurrent.ConcurrentHashMap<String, Cidr> currentBlock =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static boolean inPools(List<IpPool> pools, Cidr block) {
        return pools.stream().anyMatch(p -> p.cidr().contains(block));
    }

    /** Tries each listed block that passes {@code which} and has room; one CAS attempt per block. */
    private Optional<Cidr> firstAllocation(
            List<Versioned> all,
            List<IpPool> pools,
            AutoRequest req,
            java.util.function.Predicate<AllocationBlock> which) {
        for (Versioned v : all) {
            AllocationBlock b = v.block();
            if (b.freeCount() > 0 && which.test(b) && inPools(pools, b.cidr())) {
                Optional<Cidr> ip = tryAllocateFrom(v, req);
                if (ip.isPresent()) {
                    if (req.host().equals(b.host())) {
                        currentBlock.put(req.host() + "/" + req.version(), b.cidr());
                    }
                    return ip;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The usable blocks of an IP version; {@code taken} gets the CIDR of every block key, damaged blocks' too, so a
     * claim never aims at a key that exists (its create would fail on every attempt).
     */
    private List<Versioned> listBlocks(int version, Set<Cidr> taken) {
        List<Versioned> out = new ArrayList<>();
        for (KeyValue kv : store.list(keys.ipamBlocks(version)).kvs()) {
            try {
                taken.add(Cidr.parse(Keys.lastSegment(kv.key()), true));
            } catch (IllegalArgumentException e) {
                // not a block's key: nothing would ever be claimed under it
            }
            try {
                out.add(new Versioned(AllocationBlock.read(keys, kv.key(), kv.value()), kv.modRevision()));
            } catch (IllegalArgumentException e) {
                // a damaged block is not used for assignment; `javactl datastore check` reports it
            }
        }
        return out;
    }

    private List<IpPool> usablePools(int version, Cidr only) {
        List<IpPool> all = Pools.list(store, keys, version);
        List<IpPool> pools = all.stream()
                .filter(p -> !p.disabled())
                .filter(p -> only == null || p.cidr().equals(only))
                .toList();
        if (only != null && all.stream().noneMatch(p -> p.cidr().equals(only))) {
            throw new IpamException("no IP pool " + only + " (see: javactl pool show)");
        }
        if (pools.isEmpty()) {
            throw new IpamException(
                    only != null
                            ? "IP pool " + only + " is disabled"
                            : "no enabled IPv" + version + " pool (add one: javactl pool add CIDR)");
        }
        return pools;
    }

    private Optional<Cidr> tryAllocateFrom(Versioned vb, AutoRequest req) {
        AllocationBlock b = vb.block();
        if (b.freeCount() == 0) {
            return Optional.empty();
        }
        int ordinal = b.unallocated().get(0);
        AllocationBlock next = b.allocate(ordinal, new AllocationBlock.Attribute(req.handle(), req.attrs()));
        if (write.commit(b.cidr(), vb.modRevision(), next, req.handle(), +1, List.of())) {
            return Optional.of(b.address(ordinal));
        }
        return Optional.empty();
    }

    /** Outcome of trying to claim a fresh block: an address, none free, or lost a race (retry). */
    private static final class ClaimResult {
        static final ClaimResult NONE_FREE = new ClaimResult(Optional.empty());
        static final ClaimResult LOST_RACE = new ClaimResult(Optional.empty());
        final Optional<Cidr> ip;

        ClaimResult(Optional<Cidr> ip) {
            this.ip = ip;
        }
    }

    /** Claims the first free block of the pools for the host and allocates its first address, in one transaction. */
    private ClaimResult claim(List<IpPool> pools, AutoRequest req, Set<Cidr> taken) {
        for (IpPool pool : pools) {
            long count = pool.blockCount();
            for (long i = 0; i < count; i++) {
                Cidr blockCidr = pool.cidr().subnet(pool.blockSize(), i);
                if (taken.contains(blockCidr)) {
                    continue;
                }
                AllocationBlock fresh = AllocationBlock.empty(blockCidr, req.host());
                int ordinal = fresh.unallocated().get(0);
                AllocationBlock next =
                        fresh.allocate(ordinal, new AllocationBlock.Attribute(req.handle(), req.attrs()));
                List<Op> extra = List.of(Op.put(keys.ipamAffinity(req.host(), blockCidr), "{\"state\":\"confirmed\"}"));
                if (write.commit(blockCidr, 0, next, req.handle(), +1, extra)) {
                    currentBlock.put(req.host() + "/" + req.version(), blockCidr);
                    return new ClaimResult(Optional.of(next.address(ordinal)));
                }
                return ClaimResult.LOST_RACE; // someone else took it: start over with fresh reads
            }
        }
        return ClaimResult.NONE_FREE;
    }

    /** Assigns a given address (claiming its block for {@code host} if nobody has it). */
    public Cidr assign(Cidr ip, String handle, Map<String, String> attrs, String host) {
        IpPool pool = Pools.containing(Pools.list(store, keys, ip.version()), ip)
                .orElseThrow(() -> new IpamException(ip.ip() + " is not in any IP pool"));
        Cidr blockCidr = Pools.blockOf(pool, ip);
        AllocationBlock.Attribute attr = new AllocationBlock.Attribute(handle, attrs);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Optional<Versioned> vb = readBlock(blockCidr);
            AllocationBlock b = vb.map(Versioned::block).orElseGet(() -> AllocationBlock.empty(blockCidr, host));
            int ordinal = b.ordinalOf(ip);
            if (b.isAllocated(ordinal)) {
                throw new IpamException(ip.ip() + " is already assigned" + handleSuffix(b.attributeOf(ordinal)));
            }
            List<Op> extra = vb.isEmpty() && host != null
                    ? List.of(Op.put(keys.ipamAffinity(host, blockCidr), "{\"state\":\"confirmed\"}"))
                    : List.of();
            if (write.commit(
                    blockCidr,
                    vb.map(Versioned::modRevision).orElse(0L),
                    b.allocate(ordinal, attr),
                    handle,
                    +1,
                    extra)) {
                return ip;
            }
            backoff(attempt);
        }
        throw new IpamException("could not assign " + ip.ip() + " (heavy contention)");
    }

    private static String handleSuffix(AllocationBlock.Attribute a) {
        return a != null && a.handleId() != null ? " (handle " + a.handleId() + ")" : "";
    }

    // ---------------------------------------------------------------- releasing

    /** Releases one address; false if it was not assigned. */
    public boolean release(Cidr ip) {
        return release(ip, a -> true) == Released.RELEASED;
    }

    /** What {@link #release(Cidr, Predicate)} did. */
    public enum Released {
        RELEASED,
        NOT_ASSIGNED,
        /** Assigned, but its allocation did not pass the predicate: left as it was. */
        NOT_OWNER
    }

    /**
     * Releases one address only if its allocation passes {@code owner} (e.g. "made by a Docker IPAM driver"), as
     * read in the same compare-and-swap that releases it, so a concurrent reassignment cannot slip in between.
     */
    public Released release(Cidr ip, Predicate<AllocationBlock.Attribute> owner) {
        IpPool pool = Pools.containing(Pools.list(store, keys, ip.version()), ip)
                .orElseThrow(() -> new IpamException(ip.ip() + " is not in any IP pool"));
        Cidr blockCidr = Pools.blockOf(pool, ip);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Optional<Versioned> vb = readBlock(blockCidr);
            if (vb.isEmpty()) {
                return Released.NOT_ASSIGNED;
            }
            AllocationBlock b = vb.get().block();
            int ordinal = b.ordinalOf(ip);
            AllocationBlock.Attribute a = b.attributeOf(ordinal);
            if (a == null) {
                return Released.NOT_ASSIGNED;
            }
            if (!owner.test(a)) {
                return Released.NOT_OWNER;
            }
            if (write.commit(
                    blockCidr, vb.get().modRevision(), b.release(List.of(ordinal)), a.handleId(), -1, List.of())) {
                return Released.RELEASED;
            }
            backoff(attempt);
        }
        throw new IpamException("could not release " + ip.ip() + " (heavy contention)");
    }

    /**
     * Releases {@code addresses} of a block as it was read ({@code read}, from {@link #readBlock}) in one transaction
     * that holds only if the block's key still has the mod revision read, and each handle record it touches the one
     * read here: each handle's count for the block goes down by the addresses released under it (the record is deleted
     * when none is left), as {@link #release(Cidr)} does. Addresses {@code read} does not hold allocated are left out.
     * False when something changed meanwhile: nothing was written (read the block again and decide again).
     */
    public boolean releaseIfUnchanged(Versioned read, List<Cidr> addresses) {
        AllocationBlock b = read.block();
        List<Integer> ordinals = new ArrayList<>();
        Map<String, Integer> handles = new java.util.TreeMap<>();
        for (Cidr ip : addresses) {
            int ordinal = b.ordinalOf(ip);
            AllocationBlock.Attribute a = b.attributeOf(ordinal);
            if (a != null && !ordinals.contains(ordinal)) {
                ordinals.add(ordinal);
                if (a.handleId() != null) {
                    handles.merge(a.handleId(), -1, Integer::sum);
                }
            }
        }
        return ordinals.isEmpty()
                || write.commit(b.cidr(), read.modRevision(), b.release(ordinals), handles, List.of());
    }

    /** Releases every address of a handle; returns them. */
    public List<Cidr> releaseByHandle(String handle) {
        return releaseByHandle(handle, a -> true);
    }

    /**
     * Releases every address of a handle whose allocations all pass {@code owner}, tested on the blocks as read in
     * the compare-and-swap that releases them; a block holding one that fails is left alone (and so are the rest).
     * Returns what was released.
     */
    public List<Cidr> releaseByHandle(String handle, Predicate<AllocationBlock.Attribute> owner) {
        List<Cidr> released = new ArrayList<>();
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Optional<KeyValue> hkv = store.get(keys.ipamHandle(handle));
            if (hkv.isEmpty()) {
                return released;
            }
            IpamHandle h = Json.read(hkv.get().value(), IpamHandle.class);
            if (h.block().isEmpty()) {
                store.delete(keys.ipamHandle(handle), hkv.get().modRevision());
                return released;
            }
            String blockText = h.block().keySet().iterator().next();
            Cidr blockCidr = Cidr.parse(blockText);
            Optional<Versioned> vb = readBlock(blockCidr);
            List<Integer> ordinals = vb.map(v -> v.block().ordinalsOf(handle)).orElse(List.of());
            if (vb.isPresent()
                    && !ordinals.stream()
                            .allMatch(o -> owner.test(vb.get().block().attributeOf(o)))) {
                return released;
            }
            IpamHandle next = h.plus(blockText, -h.block().get(blockText));
            List<Compare> cmp = new ArrayList<>(List.of(
                    Compare.modRevision(keys.ipamHandle(handle), hkv.get().modRevision())));
            List<Op> ops = new ArrayList<>();
            ops.add(
                    next.isEmpty()
                            ? Op.delete(keys.ipamHandle(handle))
                            : Op.put(keys.ipamHandle(handle), Json.write(next)));
            if (vb.isPresent()) {
                cmp.add(Compare.modRevision(keys.ipamBlock(blockCidr), vb.get().modRevision()));
                ops.add(Op.put(
                        keys.ipamBlock(blockCidr), Json.write(vb.get().block().release(ordinals))));
            }
            if (store.txn(cmp, ops)) {
                ordinals.forEach(o -> released.add(blockCidr.addressAt(o)));
                attempt = -1;
            } else {
                backoff(attempt);
            }
        }
        throw new IpamException("could not release handle " + handle + " (heavy contention)");
    }

    /** Removes the host's block affinities: empty blocks are deleted, others kept without affinity. Returns how many. */
    public int releaseHostAffinities(String host) {
        int n = 0;
        for (int v : new int[] {4, 6}) {
            for (Cidr blockCidr : affinities(host, v)) {
                String affKey = keys.ipamAffinity(host, blockCidr);
                for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                    Optional<Versioned> vb = readBlock(blockCidr);
                    List<Compare> cmp = new ArrayList<>();
                    List<Op> ops = new ArrayList<>(List.of(Op.delete(affKey)));
                    if (vb.isPresent()) {
                        cmp.add(Compare.modRevision(
                                keys.ipamBlock(blockCidr), vb.get().modRevision()));
                        AllocationBlock b = vb.get().block();
                        ops.add(
                                b.isEmpty()
                                        ? Op.delete(keys.ipamBlock(blockCidr))
                                        : Op.put(keys.ipamBlock(blockCidr), Json.write(b.withAffinity(null))));
                    }
                    if (store.txn(cmp, ops)) {
                        n++;
                        break;
                    }
                    backoff(attempt);
                }
            }
        }
        return n;
    }

    private static void backoff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextInt(1, 2 + Math.min(attempt, 20)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IpamException("interrupted");
        }
    }
}
