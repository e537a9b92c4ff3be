package org.calicojava.ctl;

import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.model.WorkloadEndpoint;
import org.calicojava.store.KeyValue;
import org.calicojava.store.KvStore;

import java.util.ArrayList;
import java.util.List;

/** Reads workload endpoints with their key parts (host, orchestrator, workload, endpoint id). */
final class Endpoints {
    record Entry(String host, String orchestrator, String workload, String id, WorkloadEndpoint endpoint, String error) {
    }

    private Endpoints() {
    }

    /** All endpoints, or one host's; unparsable ones are returned with {@code error} set. */
    static List<Entry> list(KvStore store, Keys keys, String host) {
        String prefix = host == null ? keys.hosts() : keys.workloads(host);
        List<Entry> out = new ArrayList<>();
        for (KeyValue kv : store.list(prefix).kvs()) {
            String[] p = kv.key().substring(keys.hosts().length()).split("/");
            // <host>/workload/<orch>/<workload>/endpoint/<id>
            if (p.length != 6 || !p[1].equals("workload") || !p[4].equals("endpoint")) {
                continue;
            }
            try {
                out.add(new Entry(p[0], p[2], p[3], p[5], Json.read(kv.value(), WorkloadEndpoint.class), null));
            } catch (IllegalArgumentException e) {
                out.add(new Entry(p[0], p[2], p[3], p[5], null, e.getMessage()));
            }
        }
        return out;
    }
}
