package org.calicojava.libnetwork;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.calicojava.store.Compare;
import org.calicojava.store.EtcdUnreachableException;
import org.calicojava.store.KeyExistsException;
import org.calicojava.store.KeyValue;
import org.calicojava.store.KvStore;
import org.calicojava.store.ListResult;
import org.calicojava.store.Op;
import org.calicojava.store.RevisionConflictException;

/** An in-memory {@link KvStore} with etcd's revision semantics, for unit tests; {@link #down} makes it unreachable. */
final class MemoryStore implements KvStore {
    private final TreeMap<String, KeyValue> data = new TreeMap<>();
    private long revision = 1;
    volatile boolean down;

    private void check() {
        if (down) {
            throw new EtcdUnreachableException("etcd at memory:// is unreachable (connection refused)");
        }
    }

    @Override
    public synchronized Optional<KeyValue> get(String key) {
        check();
        return Optional.ofNullable(data.get(key));
    }

    @Override
    public synchronized ListResult list(String prefix) {
        check();
        List<KeyValue> out = new ArrayList<>(
                data.subMap(prefix, prefix + Character.MAX_VALUE).values());
        return new ListResult(revision, out);
    }

    synchronized List<String> keys(String prefix) {
        return new ArrayList<>(data.subMap(prefix, prefix + Character.MAX_VALUE).keySet());
    }

    @Override
    public synchronized long create(String key, String value) {
        check();
        if (data.containsKey(key)) {
            throw new KeyExistsException(key);
        }
        return put(key, value);
    }

    @Override
    public synchronized long update(String key, String value, long modRevision) {
        check();
        if (modRev(key) != modRevision) {
            throw new RevisionConflictException(key);
        }
        return put(key, value);
    }

    @Override
    public synchronized long put(String key, String value) {
        check();
        revision++;
        KeyValue old = data.get(key);
        data.put(key, new KeyValue(key, value, revision, old == null ? revision : old.createRevision()));
        return revision;
    }

    @Override
    public synchronized boolean delete(String key) {
        check();
        if (data.remove(key) != null) {
            revision++;
            return true;
        }
        return false;
    }

    @Override
    public synchronized void delete(String key, long modRevision) {
        check();
        if (modRev(key) != modRevision) {
            throw new RevisionConflictException(key);
        }
        delete(key);
    }

    @Override
    public synchronized long deletePrefix(String prefix) {
        check();
        List<String> ks = keys(prefix);
        ks.forEach(data::remove);
        revision++;
        return ks.size();
    }

    @Override
    public synchronized boolean txn(List<Compare> compares, List<Op> ops) {
        check();
        for (Compare c : compares) {
            if (modRev(c.key()) != c.modRevision()) {
                return false;
            }
        }
        for (Op op : ops) {
            if (op instanceof Op.Put p) {
                put(p.key(), p.value());
            } else {
                delete(op.key());
            }
        }
        return true;
    }

    private long modRev(String key) {
        KeyValue kv = data.get(key);
        return kv == null ? 0 : kv.modRevision();
    }

    @Override
    public String endpoint() {
        return "memory://";
    }

    @Override
    public void close() {}
}
