package org.calicojava.ctl;

import java.util.ArrayList;
import java.util.List;
import org.calicojava.model.KeyPath;
import org.calicojava.model.Keys;
import org.calicojava.model.LogText;
import org.calicojava.model.WorkloadEndpoint;
import org.calicojava.store.KeyValue;
import org.calicojava.store.KvStore;

/** Reads workload endpoints with their key parts (host, orchestrator, workload, endpoint id). */
final class Endpoints {
    record Entry(
            String host, String orchestrator, String workload, String id, WorkloadEndpoint endpoint, String error) {}

    private Endpoints() {}

    /** All endpoints, or one host's; unparsable ones are returned with {@code error} set. */
    static List<Entry> list(KvStore store, Keys keys, String host) {
        String prefix = host == null ? keys.hosts() : keys.workloads(host);
        List<Entry> out = new ArrayList<>();
        for (KeyValue kv : store.list(prefix).kvs()) {
            KeyPath path;
            try {
                path = KeyPath.parse(keys, kv.key());
            } catch (IllegalArgumentException e) { // a key with a bad name: shown as a bad entry, named safely
                out.add(new Entry("?", "?", "?", LogText.quote(kv.key()), null, e.getMessage()));
                continue;
            }
            if (!(path instanceof KeyPath.Endpoint k)) {
                continue;
            }
            try {
                out.add(new Entry(
                        k.host(), k.orchestrator(), k.workload(), k.endpointId(), k.decode(kv.value()), null));
            } catch (IllegalArgumentException e) {
                out.add(new Entry(k.host(), k.orchestrator(), k.workload(), k.endpointId(), null, e.getMessage()));
            }
        }
        return out;
    }
}
