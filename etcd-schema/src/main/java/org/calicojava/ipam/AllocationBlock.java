package org.calicojava.ipam;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.calicojava.model.Cidr;

/**
 * An IPAM block, Calico's v2 form: {@code /calico/ipam/v2/assignment/ipv4/block/10.1.0.64-26} =
 * {"cidr","affinity":"host:NAME","strictAffinity","allocations":[attr index or null per ordinal],
 * "unallocated":[free ordinals in order],"attributes":[{"handle_id","secondary"}]}. Immutable: each change returns a
 * new block, written back with compare-and-swap.
 */
public record AllocationBlock(
        @JsonProperty("cidr") Cidr cidr,
        @JsonProperty("affinity") String affinity,
        @JsonProperty("strictAffinity") boolean strictAffinity,
        @JsonProperty("allocations") List<Integer> allocations,
        @JsonProperty("unallocated") List<Integer> unallocated,
        @JsonProperty("attributes") List<Attribute> attributes) {

    /** What an allocation carries: the handle (e.g. a container id) and free-form attributes. */
    public record Attribute(
            @JsonProperty("handle_id") String handleId,
            @JsonProperty("secondary") Map<String, String> secondary) {
        public Attribute {
            secondary = secondary == null ? Map.of() : Map.copyOf(secondary);
        }
    }

    /** The largest block: /20 for IPv4, /116 for IPv6 (the smallest block sizes a pool may have). */
    public static final int MAX_SIZE = 4096;

    /**
     * Validates what a block read from etcd could get wrong: its size, one allocation slot per address, each
     * allocation an index of an attribute, free ordinals distinct, in range and not allocated, affinity
     * {@code host:<name>}. Invalid blocks are {@link IllegalArgumentException}s, so IPAM refuses them instead of
     * failing later with an index out of range.
     */
    public AllocationBlock {
        int size = checkSize(cidr);
        allocations =
                allocations == null ? List.of() : java.util.Collections.unmodifiableList(new ArrayList<>(allocations));
        unallocated = unallocated == null ? List.of() : List.copyOf(unallocated);
        attributes = attributes == null ? List.of() : List.copyOf(attributes);
        if (allocations.size() != size) {
            throw new IllegalArgumentException("block " + cidr + ": " + allocations.size() + " allocations (expected: "
                    + size + ", one per address)");
        }
        for (Integer a : allocations) {
            if (a != null && (a < 0 || a >= attributes.size())) {
                throw new IllegalArgumentException(
                        "block " + cidr + ": allocation " + a + " names no attribute (of " + attributes.size() + ")");
            }
        }
        java.util.BitSet seen = new java.util.BitSet(size);
        for (int u : unallocated) {
            if (u < 0 || u >= size || seen.get(u) || allocations.get(u) != null) {
                throw new IllegalArgumentException("block " + cidr + ": unallocated ordinal " + u
                        + " (expected: distinct, 0.." + (size - 1) + ", not allocated)");
            }
            seen.set(u);
        }
        if (affinity != null && !(affinity.startsWith("host:") && hostName(affinity.substring(5)))) {
            throw new IllegalArgumentException("block " + cidr + ": affinity "
                    + org.calicojava.model.LogText.quote(affinity) + " (expected: host:<node name>)");
        }
    }

    /** The number of addresses of a block of {@code cidr}; a missing CIDR or one over {@link #MAX_SIZE} is refused. */
    public static int checkSize(Cidr cidr) {
        if (cidr == null) {
            throw new IllegalArgumentException("block cidr: missing");
        }
        if (cidr.size().compareTo(java.math.BigInteger.valueOf(MAX_SIZE)) > 0) {
            throw new IllegalArgumentException(
                    "block " + cidr + ": " + cidr.size() + " addresses (expected: at most " + MAX_SIZE + ")");
        }
        return cidr.size().intValue();
    }

    private static boolean hostName(String name) {
        try {
            org.calicojava.model.Names.check("host", name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The block stored at {@code key}: its JSON record, under the key of its own CIDR. A record under another block's
     * key would be a second copy of that block, and both could hand out the same address: refused.
     */
    public static AllocationBlock read(org.calicojava.model.Keys keys, String key, String value) {
        AllocationBlock b = org.calicojava.model.Json.read(value, AllocationBlock.class);
        if (!keys.ipamBlock(b.cidr()).equals(key)) {
            throw new IllegalArgumentException("block " + b.cidr() + " is stored under another block's key");
        }
        return b;
    }

    /** A new, empty block with affinity to {@code host} (null for none). */
    public static AllocationBlock empty(Cidr cidr, String host) {
        int size = cidr.size().intValueExact();
        Integer[] allocs = new Integer[size];
        List<Integer> free = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            free.add(i);
        }
        return new AllocationBlock(
                cidr, host == null ? null : "host:" + host, false, Arrays.asList(allocs), free, List.of());
    }

    /** The host this block is affine to, or null. */
    public String host() {
        return affinity != null && affinity.startsWith("host:") ? affinity.substring(5) : null;
    }

    public int size() {
        return allocations.size();
    }

    public int freeCount() {
        return unallocated.size();
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isEmpty() {
        return unallocated.size() == allocations.size();
    }

    public boolean isAllocated(int ordinal) {
        return allocations.get(ordinal) != null;
    }

    public int ordinalOf(Cidr ip) {
        if (!cidr.contains(ip)) {
            throw new IllegalArgumentException(ip.ip() + " is not in block " + cidr);
        }
        return (int) cidr.offsetOf(ip);
    }

    public Cidr address(int ordinal) {
        return cidr.addressAt(ordinal);
    }

    public Attribute attributeOf(int ordinal) {
        Integer a = allocations.get(ordinal);
        return a == null ? null : attributes.get(a);
    }

    /** Ordinals allocated to {@code handle}. */
    public List<Integer> ordinalsOf(String handle) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < allocations.size(); i++) {
            Integer a = allocations.get(i);
            if (a != null && Objects.equals(attributes.get(a).handleId(), handle)) {
                out.add(i);
            }
        }
        return out;
    }

    /** This block with {@code ordinal} allocated to {@code attr}; the ordinal must be free. */
    public AllocationBlock allocate(int ordinal, Attribute attr) {
        if (isAllocated(ordinal)) {
            throw new IllegalStateException(address(ordinal).ip() + " is already assigned");
        }
        List<Attribute> attrs = new ArrayList<>(attributes);
        int idx = attrs.indexOf(attr);
        if (idx < 0) {
            attrs.add(attr);
            idx = attrs.size() - 1;
        }
        List<Integer> allocs = new ArrayList<>(allocations);
        allocs.set(ordinal, idx);
        List<Integer> free = new ArrayList<>(unallocated);
        free.remove(Integer.valueOf(ordinal));
        return new AllocationBlock(cidr, affinity, strictAffinity, allocs, free, attrs);
    }

    /** This block with the given ordinals released (attributes no longer used are dropped, indexes renumbered). */
    public AllocationBlock release(List<Integer> ordinals) {
        List<Integer> allocs = new ArrayList<>(allocations);
        List<Integer> free = new ArrayList<>(unallocated);
        for (int o : ordinals) {
            if (allocs.get(o) != null) {
                allocs.set(o, null);
                free.add(o);
            }
        }
        // compact attributes
        List<Attribute> attrs = new ArrayList<>();
        int[] remap = new int[attributes.size()];
        Arrays.fill(remap, -1);
        for (int i = 0; i < allocs.size(); i++) {
            Integer a = allocs.get(i);
            if (a == null) {
                continue;
            }
            if (remap[a] < 0) {
                attrs.add(attributes.get(a));
                remap[a] = attrs.size() - 1;
            }
            allocs.set(i, remap[a]);
        }
        return new AllocationBlock(cidr, affinity, strictAffinity, allocs, free, attrs);
    }

    public AllocationBlock withAffinity(String host) {
        return new AllocationBlock(
                cidr, host == null ? null : "host:" + host, strictAffinity, allocations, unallocated, attributes);
    }
}
