package org.calicojava.felix.it;

import org.calicojava.model.Keys;
import org.calicojava.store.JetcdStore;

/** Test teardown: closes everything given (nulls skipped) even when one fails; the first failure is rethrown. */
final class Cleanup {
    private Cleanup() {}

    static void close(AutoCloseable... all) throws Exception {
        Exception first = null;
        for (AutoCloseable c : all) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Deletes the test's keys and closes the store (null: nothing). */
    static AutoCloseable dropKeys(JetcdStore store, Keys keys) {
        return () -> {
            if (store != null) {
                try {
                    store.deletePrefix(keys.root() + "/");
                } finally {
                    store.close();
                }
            }
        };
    }
}
