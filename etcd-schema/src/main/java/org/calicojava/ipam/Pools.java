package org.calicojava.ipam;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.calicojava.model.Cidr;
import org.calicojava.model.IpPool;
import org.calicojava.model.KeyPath;
import org.calicojava.model.Keys;
import org.calicojava.model.WorkloadMtu;
import org.calicojava.store.KeyValue;
import org.calicojava.store.KvStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reading and adding IP pools (with the overlap check). */
public final class Pools {
    /**
     * The logger, set up on the first bad entry only: {@link #list} runs in one-shot commands (javactl pool show),
     * where slf4j's set-up (provider, configuration, its lambdas) costs about 10 ms of start-up.
     */
    private static final class Log {
        private static final Logger LOG = LoggerFactory.getLogger(Pools.class);
    }

    /** By CIDR (a class, not a lambda: see {@link Log}; a first lambda costs about 15 ms). */
    private static final Comparator<IpPool> BY_CIDR = new Comparator<>() {
        @Override
        public int compare(IpPool a, IpPool b) {
            return a.cidr().compareTo(b.cidr());
        }
    };

    private Pools() {}

    /**
     * Every valid pool of the given IP version (4 or 6; 0 for both), sorted by CIDR, read as felix and confd read them
     * ({@link KeyPath.Pool}: the key in canonical form, the record's CIDR the key's). Bad entries are logged, skipped.
     */
    public static List<IpPool> list(KvStore store, Keys keys, int version) {
        List<IpPool> out = new ArrayList<>();
        for (int v : version == 0 ? new int[] {4, 6} : new int[] {version}) {
            for (KeyValue kv : store.list(keys.pools(v)).kvs()) {
                try {
                    if (KeyPath.parse(keys, kv.key()) instanceof KeyPath.Pool pool) {
                        out.add(pool.decode(kv.value()));
                    }
                } catch (IllegalArgumentException e) {
                    Log.LOG.warn("skipping pool {}: {}", org.calicojava.model.LogText.quote(kv.key()), e.getMessage());
                }
            }
        }
        out.sort(BY_CIDR);
        return out;
    }

    /** The pool containing {@code ip}, if any. */
    public static Optional<IpPool> containing(List<IpPool> pools, Cidr ip) {
        return pools.stream().filter(p -> p.cidr().contains(ip)).findFirst();
    }

    /** Throws if {@code pool} overlaps any of {@code existing} (other than an identical CIDR). */
    public static void checkOverlap(IpPool pool, List<IpPool> existing) {
        for (IpPool p : existing) {
            if (!p.cidr().equals(pool.cidr()) && p.cidr().overlaps(pool.cidr())) {
                throw new IllegalArgumentException("pool " + pool.cidr() + " overlaps existing pool " + p.cidr());
            }
        }
    }

    /** The block of {@code pool} that holds {@code ip}. */
    public static Cidr blockOf(IpPool pool, Cidr ip) {
        return Cidr.of(ip.address(), pool.blockSize());
    }

    /**
     * The MTU for a new workload on {@code host} ({@link WorkloadMtu}): {@code VethMTU} from the host's config, else the
     * global one, else {@code uplinkMtu} less the largest encapsulation overhead of the pools. A bad setting is logged
     * and ignored (the automatic value is used).
     */
    public static int workloadMtu(KvStore store, Keys keys, String host, int uplinkMtu) {
        for (String key :
                List.of(keys.hostConfig(host, WorkloadMtu.CONFIG_NAME), keys.felixConfig(WorkloadMtu.CONFIG_NAME))) {
            Optional<KeyValue> kv = store.get(key);
            if (kv.isPresent()) {
                try {
                    return WorkloadMtu.parse(kv.get().value().replace("\"", ""));
                } catch (IllegalArgumentException e) {
                    Log.LOG.warn("ignoring {}: {}", org.calicojava.model.LogText.quote(key), e.getMessage());
                }
            }
        }
        return WorkloadMtu.of(uplinkMtu, list(store, keys, 0), 0);
    }
}
