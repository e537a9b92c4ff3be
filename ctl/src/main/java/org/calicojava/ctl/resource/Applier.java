package org.calicojava.ctl.resource;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.calicojava.model.Json;
import org.calicojava.store.Compare;
import org.calicojava.store.KeyValue;
import org.calicojava.store.KvStore;
import org.calicojava.store.Op;

/**
 * Writes one resource's {@link Footprint} in one etcd transaction, guarded by the mod revision of every key it read:
 * all of it or nothing. Keys whose value is already the wanted one (the same text, or the same JSON) are not
 * written, so applying what {@code get} printed changes no revision.
 */
final class Applier {
    enum Mode {
        APPLY,
        CREATE,
        REPLACE,
        DELETE
    }

    enum Outcome {
        CREATED,
        CHANGED,
        UNCHANGED,
        DELETED
    }

    private Applier() {}

    static Outcome write(KvStore store, Mode mode, Footprint f) {
        Map<String, KeyValue> current = new LinkedHashMap<>();
        List<Compare> guards = new ArrayList<>();
        for (String key : f.keys().keySet()) {
            Optional<KeyValue> kv = store.get(key);
            kv.ifPresent(v -> current.put(key, v));
            guards.add(Compare.modRevision(key, kv.map(KeyValue::modRevision).orElse(0L)));
        }
        for (String prefix : f.prefixes()) {
            for (KeyValue kv : store.list(prefix).kvs()) {
                if (!f.keys().containsKey(kv.key())) {
                    current.put(kv.key(), kv);
                    guards.add(Compare.modRevision(kv.key(), kv.modRevision()));
                }
            }
        }
        boolean exists = !current.isEmpty();
        String what = f.kind() + " " + f.name();
        if (mode == Mode.CREATE && exists) {
            throw new IllegalArgumentException(what + " already exists (use replace or apply)");
        }
        if ((mode == Mode.REPLACE || mode == Mode.DELETE) && !exists) {
            throw new IllegalArgumentException(what + " does not exist");
        }
        List<Op> ops = new ArrayList<>();
        for (Map.Entry<String, String> e : f.keys().entrySet()) {
            KeyValue cur = current.get(e.getKey());
            if (e.getValue() == null) {
                if (cur != null) {
                    ops.add(Op.delete(e.getKey()));
                }
            } else if (cur == null || !same(cur.value(), e.getValue())) {
                ops.add(Op.put(e.getKey(), e.getValue()));
            }
        }
        for (String key : current.keySet()) {
            if (!f.keys().containsKey(key)) {
                ops.add(Op.delete(key));
            }
        }
        if (ops.isEmpty()) {
            return Outcome.UNCHANGED;
        }
        if (!store.txn(guards, ops)) {
            throw new IllegalArgumentException(
                    what + " changed while it was being written; nothing written, try again");
        }
        return mode == Mode.DELETE ? Outcome.DELETED : exists ? Outcome.CHANGED : Outcome.CREATED;
    }

    /** The same text, or the same JSON value (a record written by another tool with its fields in another order). */
    static boolean same(String stored, String wanted) {
        if (stored.equals(wanted)) {
            return true;
        }
        String s = stored.strip();
        if (!(s.startsWith("{") || s.startsWith("["))) {
            return false;
        }
        try {
            JsonNode a = Json.MAPPER.readTree(s);
            JsonNode b = Json.MAPPER.readTree(wanted);
            return a != null && a.equals(b);
        } catch (Exception e) {
            return false;
        }
    }
}
