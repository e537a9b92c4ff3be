package org.calicojava.ipam;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.calicojava.model.Cidr;
import org.calicojava.model.IpPool;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.calicojava.store.KvStore;

/**
 * IPAM auto-assign throughput against a real etcd: N addresses with 1 client, then with 4 concurrent clients (each its
 * own connection and host), each run on a fresh key root. Prints progress and addresses/s; checks no duplicates.
 * Run through etcd-schema/bench/ipam.sh.
 */
public final class IpamBench {
    public static void main(String[] args) throws Exception {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        EtcdConfig cfg = EtcdConfig.of(System.getenv("ETCD_ENDPOINTS"));
        for (int clients : new int[] {1, 4}) {
            Keys keys = new Keys("/bench-ipam-" + clients + "-" + System.nanoTime());
            List<KvStore> stores = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                stores.add(new JetcdStore(cfg));
            }
            IpPool pool = new IpPool(Cidr.parse("10.128.0.0/16"), false, false, false, 26);
            stores.get(0).put(keys.pool(pool.cidr()), Json.write(pool));
            AtomicInteger done = new AtomicInteger();
            Set<String> seen = ConcurrentHashMap.newKeySet();
            ExecutorService ex = Executors.newFixedThreadPool(clients);
            long t0 = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                Ipam ipam = new Ipam(stores.get(c), keys);
                String host = "host" + c;
                int share = total / clients;
                fs.add(ex.submit(() -> {
                    for (int i = 0; i < share; i++) {
                        Cidr ip = ipam.autoAssign(new Ipam.AutoRequest(host, null, Map.of(), 4, null));
                        if (!seen.add(ip.ip())) {
                            throw new IllegalStateException("duplicate " + ip);
                        }
                        int d = done.incrementAndGet();
                        if (d % 2000 == 0) {
                            System.out.printf(
                                    "  clients=%d: %d assigned (%.1f s)%n", clients, d, (System.nanoTime() - t0) / 1e9);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            ex.shutdown();
            System.out.printf(
                    "IPAM auto-assign, %d client(s): %d addresses in %.2f s = %.0f addresses/s (%d unique)%n",
                    clients, done.get(), secs, done.get() / secs, new HashSet<>(seen).size());
            stores.get(0).deletePrefix(keys.root() + "/");
            stores.forEach(KvStore::close);
        }
    }
}
