package org.calicojava.ipam;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.store.Compare;
import org.calicojava.store.KeyValue;
import org.calicojava.store.KvStore;
import org.calicojava.store.Op;

/**
 * The one write path of {@link Ipam}'s assignments and releases: a block and the handle records its change touches, in
 * one compare-and-swap transaction.
 */
final class BlockWrite {
    private final KvStore store;
    private final Keys keys;

    BlockWrite(KvStore store, Keys keys) {
        this.store = store;
        this.keys = keys;
    }

    /** As {@link #commit(Cidr, long, AllocationBlock, Map, List)} with one handle (none when null). */
    boolean commit(
            Cidr blockCidr, long blockModRevision, AllocationBlock next, String handle, int delta, List<Op> extra) {
        return commit(blockCidr, blockModRevision, next, handle == null ? Map.of() : Map.of(handle, delta), extra);
    }

    /**
     * Writes {@code next} over the block at {@code blockModRevision} (0: must not exist) and adjusts each handle's count
     * for the block by its delta in {@code handleDeltas} (a record left with no block is deleted), plus {@code extra}
     * ops, in one transaction guarded by the block's and each handle record's mod revision. False if anything changed
     * meanwhile. A damaged handle record is an {@link IllegalArgumentException}.
     */
    boolean commit(
            Cidr blockCidr,
            long blockModRevision,
            AllocationBlock next,
            Map<String, Integer> handleDeltas,
            List<Op> extra) {
        List<Compare> cmp = new ArrayList<>();
        List<Op> ops = new ArrayList<>();
        cmp.add(Compare.modRevision(keys.ipamBlock(blockCidr), blockModRevision));
        ops.add(Op.put(keys.ipamBlock(blockCidr), Json.write(next)));
        handleDeltas.forEach((handle, delta) -> {
            String hkey = keys.ipamHandle(handle);
            Optional<KeyValue> hkv = store.get(hkey);
            IpamHandle h =
                    hkv.map(kv -> Json.read(kv.value(), IpamHandle.class)).orElse(new IpamHandle(handle, Map.of()));
            IpamHandle nh = h.plus(blockCidr.toString(), delta);
            cmp.add(Compare.modRevision(hkey, hkv.map(KeyValue::modRevision).orElse(0L)));
            ops.add(nh.isEmpty() ? Op.delete(hkey) : Op.put(hkey, Json.write(nh)));
        });
        ops.addAll(extra);
        return store.txn(cmp, ops);
    }
}
