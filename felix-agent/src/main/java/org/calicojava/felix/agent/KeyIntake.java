package org.calicojava.felix.agent;

import org.calicojava.felix.calc.DatastoreState;
import org.calicojava.felix.encap.EncapState;
import org.calicojava.model.LogText;
import org.calicojava.store.KeyValue;
import org.calicojava.store.ListResult;
import org.calicojava.store.ListSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where etcd's keys enter the agent: each key goes to the datastore state and to the encapsulation state, a bad
 * record is skipped (logged per key, counted), an unexpected failure quarantines the key; resyncs replace what a
 * prefix held. Used on the dataplane thread only.
 */
final class KeyIntake {
    private static final Logger LOG = LoggerFactory.getLogger(KeyIntake.class);

    private final DatastoreState state;
    private final EncapState encap;
    private final Metrics metrics;
    private final ProblemLog problems;

    KeyIntake(DatastoreState state, EncapState encap, Metrics metrics, ProblemLog problems) {
        this.state = state;
        this.encap = encap;
        this.metrics = metrics;
        this.problems = problems;
    }

    /** Replaces everything under /calico/v1 with a listing of it. */
    void resync(ListResult all) {
        Listing l = listing();
        l.restart();
        l.page(all.kvs());
    }

    /** Forgets everything under /calico/v1: a listing of it follows ({@link #listing}). */
    void clear() {
        state.clear();
        encap.clear(state.prefix());
    }

    /**
     * A listing of /calico/v1 that replaces what the state holds as its pages arrive ({@link
     * org.calicojava.store.KvStore#list(String, ListSink)}).
     */
    Listing listing() {
        return new Listing();
    }

    /** {@link #listing}: counts the keys applied and the time spent applying them. */
    final class Listing implements ListSink {
        private long keys;
        private long nanos;

        @Override
        public void restart() {
            clear();
            keys = 0;
        }

        @Override
        public void page(java.util.List<KeyValue> kvs) {
            long t0 = System.nanoTime();
            for (KeyValue kv : kvs) {
                apply(kv.key(), kv.value());
            }
            nanos += System.nanoTime() - t0;
            keys += kvs.size();
        }

        long keys() {
            return keys;
        }

        /** Time spent applying pages (decoding), also of a listing that started over. */
        long nanos() {
            return nanos;
        }
    }

    /** Replaces what encapsulation holds under one of its extra prefixes with a listing of it. */
    void resyncPrefix(String prefix, ListResult all) {
        encap.clear(prefix);
        for (KeyValue kv : all.kvs()) {
            apply(kv.key(), kv.value());
        }
    }

    /** Applies one key ({@code value} null: deleted); returns whether anything may have changed. */
    boolean apply(String key, String value) {
        try {
            boolean forEncap = encap.apply(key, value); // its keys are plain text: only its own throw
            return state.apply(key, value) || forEncap;
        } catch (IllegalArgumentException e) {
            if (value == null) { // the delete of a key that was refused: it never was in the state
                return true;
            }
            metrics.inc(Metrics.INVALID_RECORDS);
            problems.badKey(key, e.getMessage());
            return true;
        } catch (RuntimeException e) {
            metrics.inc(Metrics.QUARANTINED_KEYS);
            try {
                state.apply(key, null);
            } catch (RuntimeException again) {
                // the key held nothing usable
            }
            LOG.error(
                    "quarantined key {} (removed from the state): unexpected {}",
                    LogText.quote(key),
                    LogText.quote(e.toString()),
                    e);
            return true;
        }
    }
}
