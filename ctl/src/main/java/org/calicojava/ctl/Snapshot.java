package org.calicojava.ctl;

import java.io.PrintWriter;
import java.util.TreeMap;
import org.calicojava.model.Keys;
import org.calicojava.store.KeyValue;
import org.calicojava.store.KvStore;
import org.calicojava.store.ListResult;

/** Every key under the root at one revision, for the read-only checks (datastore check, ipam check). */
record Snapshot(TreeMap<String, String> kv, long revision) {
    static Snapshot of(KvStore store, Keys keys) {
        ListResult all = store.list(keys.root() + "/");
        TreeMap<String, String> kv = new TreeMap<>();
        for (KeyValue e : all.kvs()) {
            kv.put(e.key(), e.value());
        }
        return new Snapshot(kv, all.revision());
    }

    /** A check's report: the table when it has rows (always as JSON or YAML), then in table form a summary line. */
    void print(Table t, String format, PrintWriter out, String summary) {
        boolean table = format.equals("table");
        if (!t.isEmpty() || !table) {
            t.print(out, format);
        }
        if (table) {
            out.println(summary);
            out.flush();
        }
    }
}
