package org.calicojava.felix.nft;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.calicojava.model.PortRange;
import org.calicojava.netlink.nft.Bytes;
import org.calicojava.netlink.nft.NftBatch;
import org.calicojava.netlink.nft.NftFamily;
import org.calicojava.netlink.nft.NftSet;
import org.calicojava.netlink.nft.SetElement;

/**
 * {@link NftExprs.Sets} for one {@link NftBatch}: a named set made in the same batch is referred to by its id (else
 * by name only), and a rule's port list becomes an anonymous constant set added to the batch right there (before
 * the rule), with the elements nft sends for it (intervals: an end element at 0 unless a range starts there, each
 * start, an end element after each range unless it reaches 65535). Not thread-safe (one batch).
 */
public final class NftBatchSets implements NftExprs.Sets {
    private static final String ANONYMOUS = "__set%d";
    private final NftBatch batch;
    private final NftFamily family;
    private final String table;
    private final Map<String, Integer> newSets;
    private final int firstId;
    private int nextId;

    /** {@code newSets}: the batch's named sets with their ids; anonymous sets numbered from {@code firstId} on. */
    public NftBatchSets(NftBatch batch, NftFamily family, String table, Map<String, Integer> newSets, int firstId) {
        this.batch = batch;
        this.family = family;
        this.table = table;
        this.newSets = Map.copyOf(newSets);
        this.firstId = firstId;
        this.nextId = firstId;
    }

    @Override
    public NftExprs.SetRef named(String set) {
        return new NftExprs.SetRef(set, newSets.getOrDefault(set, 0));
    }

    /** How many anonymous sets this batch has been given so far. */
    int anonymousSets() {
        return nextId - firstId;
    }

    /**
     * nft's KEY_TYPEOF user data of a port set: the expression that made it, a payload (expression type 7) of the
     * transport header ({@code th}: protocol description 11) field sport (1) or dport (2).
     */
    private static final Bytes TH_SPORT = Bytes.hex("000407000000010c00040b0000000104" + "01000000");

    private static final Bytes TH_DPORT = Bytes.hex("000407000000010c00040b0000000104" + "02000000");

    @Override
    public NftExprs.SetRef ports(List<PortRange> ports, boolean source) {
        List<SetElement> elements = elements(ports);
        boolean interval = ports.stream().anyMatch(p -> p.first() != p.last());
        int id = nextId++;
        batch.addSet(
                family,
                table,
                NftSet.anonymous(
                        NftSet.TYPE_INET_SERVICE, 2, elements.size(), interval, id, source ? TH_SPORT : TH_DPORT));
        batch.addElements(family, table, ANONYMOUS, id, elements);
        return new NftExprs.SetRef(ANONYMOUS, id);
    }

    /** The set's elements: each port, or with any range the interval encoding. */
    static List<SetElement> elements(List<PortRange> ports) {
        List<SetElement> out = new ArrayList<>();
        if (ports.stream().allMatch(p -> p.first() == p.last())) {
            ports.stream().map(p -> p.first()).distinct().forEach(p -> out.add(SetElement.of(Bytes.be16(p))));
            return out;
        }
        List<int[]> ranges = new ArrayList<>();
        ports.stream().sorted(Comparator.comparingInt(PortRange::first)).forEach(p -> {
            int[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
            if (last != null && p.first() <= last[1] + 1) {
                last[1] = Math.max(last[1], p.last());
            } else {
                ranges.add(new int[] {p.first(), p.last()});
            }
        });
        if (ranges.get(0)[0] != 0) {
            out.add(SetElement.end(Bytes.be16(0)));
        }
        for (int[] r : ranges) {
            out.add(SetElement.of(Bytes.be16(r[0])));
            if (r[1] < 65535) {
                out.add(SetElement.end(Bytes.be16(r[1] + 1)));
            }
        }
        return out;
    }
}
