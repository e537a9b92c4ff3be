package org.calicojava.cni;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.calicojava.ipam.AllocationBlock;
import org.calicojava.ipam.Ipam;
import org.calicojava.ipam.IpamException;
import org.calicojava.ipam.IpamHandle;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.store.KvStore;

/**
 * calico-java-ipam: the IPAM of javactl and the Docker driver (etcd-schema's {@link Ipam}: blocks with host affinity)
 * for one CNI attachment. The handle is the container id ({@code .IFNAME} appended for interfaces other than eth0),
 * so a retried ADD gets the addresses it already has, and DEL releases by handle. IPAM config:
 * {@code assign_ipv4} (default true), {@code assign_ipv6} (default false), {@code ipv4_pools} / {@code ipv6_pools}
 * (CIDRs of existing pools to take from, in order; default: any enabled pool).
 */
final class CalicoIpam {
    private final KvStore store;
    private final Keys keys;
    private final String host;
    private final Ipam ipam;

    CalicoIpam(KvStore store, Keys keys, String host) {
        this.store = store;
        this.keys = keys;
        this.host = host;
        this.ipam = new Ipam(store, keys);
    }

    static String handle(CniEnv env) {
        return env.ifname().equals("eth0") ? env.containerId() : env.containerId() + "." + env.ifname();
    }

    /** The handle's addresses, assigning them first if it has none. On failure nothing stays assigned. */
    List<Cidr> assign(String handle, JsonNode conf) {
        List<Cidr> have = addressesOf(handle);
        if (!have.isEmpty()) {
            return have;
        }
        boolean v4 = flag(conf, "assign_ipv4", true);
        boolean v6 = flag(conf, "assign_ipv6", false);
        if (!v4 && !v6) {
            throw NetConf.invalid("ipam: assign_ipv4 and assign_ipv6 are both false");
        }
        List<Cidr> got = new ArrayList<>();
        try {
            if (v4) {
                got.add(assignOne(handle, 4, pools(conf, "ipv4_pools", 4)));
            }
            if (v6) {
                got.add(assignOne(handle, 6, pools(conf, "ipv6_pools", 6)));
            }
            return got;
        } catch (RuntimeException e) {
            try {
                ipam.releaseByHandle(handle);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private Cidr assignOne(String handle, int version, List<Cidr> pools) {
        Map<String, String> attrs = Map.of("orchestrator", "cni");
        if (pools.isEmpty()) {
            return auto(new Ipam.AutoRequest(host, handle, attrs, version, null));
        }
        CniException last = null;
        for (Cidr pool : pools) {
            try {
                return auto(new Ipam.AutoRequest(host, handle, attrs, version, pool));
            } catch (CniException e) {
                if (e.code() != CniException.POOL_EXHAUSTED) {
                    throw e;
                }
                last = e;
            }
        }
        throw last;
    }

    private Cidr auto(Ipam.AutoRequest req) {
        try {
            return ipam.autoAssign(req);
        } catch (IpamException e) {
            throw mapped(e);
        }
    }

    static CniException mapped(IpamException e) {
        String m = e.getMessage();
        int code = m.contains("exhausted") || m.contains("no free address")
                ? CniException.POOL_EXHAUSTED
                : m.contains("contention") ? CniException.TRY_AGAIN_LATER : CniException.PLUGIN_FAILURE;
        return new CniException(code, "calico-java-ipam: " + m);
    }

    List<Cidr> release(String handle) {
        try {
            return ipam.releaseByHandle(handle);
        } catch (IpamException e) {
            throw mapped(e);
        }
    }

    /** The addresses assigned to {@code handle}, read from its handle record and blocks. */
    List<Cidr> addressesOf(String handle) {
        Optional<IpamHandle> h = store.get(keys.ipamHandle(handle)).map(kv -> Json.read(kv.value(), IpamHandle.class));
        List<Cidr> out = new ArrayList<>();
        if (h.isEmpty()) {
            return out;
        }
        for (String blockText : h.get().block().keySet()) {
            Cidr block = Cidr.parse(blockText);
            store.get(keys.ipamBlock(block))
                    .map(kv -> Json.read(kv.value(), AllocationBlock.class))
                    .ifPresent(b -> b.ordinalsOf(handle).forEach(o -> out.add(block.addressAt(o))));
        }
        out.sort(Cidr::compareTo);
        return out;
    }

    private static boolean flag(JsonNode conf, String field, boolean dflt) {
        JsonNode v = conf == null ? null : conf.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        String t = v.asText();
        if (!t.equals("true") && !t.equals("false")) {
            throw NetConf.invalid("ipam " + field + ": " + v + " (expected: true or false)");
        }
        return t.equals("true");
    }

    private static List<Cidr> pools(JsonNode conf, String field, int version) {
        JsonNode v = conf == null ? null : conf.get(field);
        List<Cidr> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw NetConf.invalid("ipam " + field + ": expected a list of pool CIDRs");
        }
        for (JsonNode p : v) {
            Cidr c;
            try {
                c = Cidr.parse(p.asText(), true);
            } catch (IllegalArgumentException e) {
                throw NetConf.invalid("ipam " + field + ": " + e.getMessage());
            }
            if (c.version() != version) {
                throw NetConf.invalid("ipam " + field + ": " + c + " is not IPv" + version);
            }
            out.add(c);
        }
        return out;
    }
}
