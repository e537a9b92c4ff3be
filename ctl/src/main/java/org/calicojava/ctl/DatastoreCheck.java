package org.calicojava.ctl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.calicojava.confd.ContextBuilder;
import org.calicojava.confd.Warnings;
import org.calicojava.felix.calc.DatastoreState;
import org.calicojava.felix.calc.FelixConfig;
import org.calicojava.felix.encap.EncapState;
import org.calicojava.ipam.AllocationBlock;
import org.calicojava.ipam.IpamConfig;
import org.calicojava.ipam.IpamHandle;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.KeyPath;
import org.calicojava.model.Keys;
import org.calicojava.model.LogText;
import org.calicojava.model.Names;

/**
 * What the daemons would refuse in a datastore snapshot, read by their own readers: felix's ({@link DatastoreState},
 * then {@link FelixConfig} per setting), confd's ({@link ContextBuilder} for every BGP host) and IPAM's
 * (blocks, handles, affinities, config). A daemon leaves each such key out with one log line and keeps running; this
 * lists them all at once, before an upgrade or after a bulk import. It also lists the active endpoints felix accepts
 * but leaves out of its calculation: an interface name outside the host's InterfacePrefix. Pure: the caller lists the
 * keys.
 */
final class DatastoreCheck {
    /** One refused key: who refuses it (felix, confd, ipam; joined) and why, in the first one's words (one line). */
    record Finding(String key, String readers, String problem) {}

    private final Keys keys;
    /** key → the first reason given for it, and every reader that refuses it. */
    private final Map<String, String> problems = new HashMap<>();

    private final Map<String, List<String>> readers = new HashMap<>();

    private DatastoreCheck(Keys keys) {
        this.keys = keys;
    }

    /** The refused keys of {@code kv} (every key under the root), sorted by key: one finding per key. */
    static List<Finding> run(Keys keys, NavigableMap<String, String> kv) {
        DatastoreCheck c = new DatastoreCheck(keys);
        c.felix(kv);
        c.confd(kv);
        c.ipam(kv);
        List<Finding> out = new ArrayList<>();
        for (String key : new TreeSet<>(c.problems.keySet())) {
            out.add(new Finding(key, String.join(", ", c.readers.get(key)), c.problems.get(key)));
        }
        return out;
    }

    private void add(String key, String reader, String problem) {
        problems.putIfAbsent(key, problem == null ? "refused" : problem);
        List<String> r = readers.computeIfAbsent(key, k -> new ArrayList<>());
        if (!r.contains(reader)) {
            r.add(reader);
        }
    }

    /**
     * felix: each key as the agent's {@code KeyIntake} applies it (the encapsulation state, which also reads the BGP
     * hosts' and the IPAM affinities' keys, then the datastore state); host settings through a state of their host, as
     * that host reads them. A key that fails otherwise than by a refusal is one felix quarantines: listed too.
     */
    private void felix(NavigableMap<String, String> kv) {
        DatastoreState all = new DatastoreState(keys, "");
        EncapState encap = new EncapState(keys);
        Map<String, DatastoreState> hosts = new HashMap<>();
        for (Map.Entry<String, String> e : kv.entrySet()) {
            try {
                encap.apply(e.getKey(), e.getValue());
                if (e.getKey().startsWith(all.prefix())) {
                    DatastoreState state = KeyPath.parse(keys, e.getKey()) instanceof KeyPath.HostConfig c
                            ? hosts.computeIfAbsent(c.host(), h -> new DatastoreState(keys, h))
                            : all;
                    state.apply(e.getKey(), e.getValue());
                }
            } catch (IllegalArgumentException ex) {
                add(e.getKey(), "felix", ex.getMessage());
            } catch (RuntimeException ex) {
                add(e.getKey(), "felix", "quarantined: unexpected " + ex);
            }
        }
        all.globalConfig().forEach((name, value) -> setting(keys.felixConfig(name), Map.of(), Map.of(name, value)));
        hosts.forEach((host, state) -> state.hostConfig()
                .forEach((name, value) -> setting(keys.hostConfig(host, name), Map.of(name, value), Map.of())));
        Map<String, String> prefixes = new HashMap<>(); // host -> its InterfacePrefix, or "" when not known
        all.endpoints().forEach((k, ep) -> {
            String prefix = prefixes.computeIfAbsent(k.host(), h -> {
                DatastoreState host = hosts.get(h);
                return interfacePrefix(host == null ? Map.of() : host.hostConfig(), all.globalConfig());
            });
            if (!prefix.isEmpty() && ep.state().equals("active") && !ep.name().startsWith(prefix)) {
                add(
                        keys.endpoint(k.host(), k.orchestrator(), k.workload(), k.endpoint()),
                        "felix",
                        "interface " + LogText.quote(ep.name()) + " is not a workload interface (InterfacePrefix "
                                + prefix + "): felix on " + k.host() + " ignores this endpoint (no route, no policy)");
            }
        });
    }

    /**
     * InterfacePrefix as felix on a host sets it from the datastore: its settings merged as a whole (the host's over
     * the global ones). When any of them is bad felix keeps the settings it had (at its start, its environment's and
     * the defaults), which no datastore tells: "" then, and the bad setting is listed instead. A {@code
     * FELIX_INTERFACEPREFIX} in a host's environment is not visible here either.
     */
    private static String interfacePrefix(Map<String, String> host, Map<String, String> global) {
        try {
            return FelixConfig.of(Map.of(), host, global).interfacePrefix();
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private void setting(String key, Map<String, String> host, Map<String, String> global) {
        try {
            FelixConfig.of(Map.of(), host, global);
        } catch (IllegalArgumentException ex) {
            add(key, "felix", "felix config: " + ex.getMessage() + " (felix keeps its previous settings)");
        }
    }

    /**
     * confd: what every host's build reads, and a host joining now. One full build, for a host made up in a copy of the
     * snapshot (so that it always renders; with no setting of its own it reads every global key, such as a global BFD
     * setting that every present host overrides), reads every record all hosts share: the global keys, every node,
     * pools. Then each real host
     * that renders (it has an IPv4 address) reads only its own records ({@link ContextBuilder#readOwnRecords}); a host
     * without one renders nothing, as its confd. One build per host would read every node once per host: N x N.
     */
    private void confd(NavigableMap<String, String> kv) {
        TreeSet<String> hosts = children(kv, keys.bgpHosts());
        String madeUp = "datastore-check";
        while (hosts.contains(madeUp)) {
            madeUp += "-x";
        }
        TreeMap<String, String> copy = new TreeMap<>(kv);
        copy.put(keys.bgpHostIp(madeUp, 4), "192.0.2.1");
        ContextBuilder shared = new ContextBuilder(keys, madeUp);
        Set<String> rendering = new HashSet<>();
        try {
            for (Object n : (List<?>) shared.build(copy).get("nodes")) {
                Map<?, ?> node = (Map<?, ?>) n;
                if (node.get("ipv4") != null && !madeUp.equals(node.get("name"))) {
                    rendering.add((String) node.get("name"));
                }
            }
        } catch (RuntimeException ex) {
            add(keys.bgpHosts(), "confd", "cannot render: unexpected " + ex);
        }
        findings(shared);
        for (String h : rendering) {
            ContextBuilder own = new ContextBuilder(keys, h);
            try {
                own.readOwnRecords(kv);
            } catch (RuntimeException ex) {
                add(keys.bgpHost(h), "confd", "cannot render for this host: unexpected " + ex);
            }
            findings(own);
        }
    }

    private void findings(ContextBuilder b) {
        for (Warnings.Invalid i : b.invalid()) {
            add(i.key(), "confd", i.reason());
        }
    }

    /** IPAM: blocks under the key of their CIDR, handles and the config as JSON records, affinities' key shape. */
    private void ipam(NavigableMap<String, String> kv) {
        for (int v : new int[] {4, 6}) {
            String blocks = keys.ipamBlocks(v);
            for (Map.Entry<String, String> e : below(kv, blocks).entrySet()) {
                try {
                    AllocationBlock.read(keys, e.getKey(), e.getValue());
                } catch (IllegalArgumentException ex) {
                    add(e.getKey(), "ipam", ex.getMessage());
                }
            }
        }
        for (Map.Entry<String, String> e : below(kv, keys.ipamHandles()).entrySet()) {
            try {
                Names.check("handle", e.getKey().substring(keys.ipamHandles().length()));
                Json.read(e.getValue(), IpamHandle.class);
            } catch (IllegalArgumentException ex) {
                add(e.getKey(), "ipam", ex.getMessage());
            }
        }
        for (String k : below(kv, keys.ipamHostRoot()).keySet()) {
            String[] p = k.substring(keys.ipamHostRoot().length()).split("/", -1);
            try {
                // <host>/ipv4|ipv6/block/<cidr key form>: the key IPAM writes and deletes (releaseHostAffinities)
                if (p.length != 4 || !p[1].matches("ipv[46]") || !p[2].equals("block")) {
                    throw new IllegalArgumentException("affinity key: expected <host>/ipv4|ipv6/block/<block>");
                }
                Cidr block = Cidr.parse(p[3], true);
                if (!k.equals(keys.ipamAffinity(Names.check("host", p[0]), block))) {
                    throw new IllegalArgumentException("affinity key: expected "
                            + keys.ipamAffinity(p[0], block)
                                    .substring(keys.ipamHostRoot().length())
                            + " (IPAM would never delete this one)");
                }
            } catch (IllegalArgumentException ex) {
                add(k, "ipam", ex.getMessage());
            }
        }
        for (int v : new int[] {4, 6}) { // as Pools.list reads them: the same reader as felix's and confd's
            for (Map.Entry<String, String> e : below(kv, keys.pools(v)).entrySet()) {
                try {
                    if (KeyPath.parse(keys, e.getKey()) instanceof KeyPath.Pool pool) {
                        pool.decode(e.getValue());
                    }
                } catch (IllegalArgumentException ex) {
                    add(e.getKey(), "ipam", ex.getMessage());
                }
            }
        }
        String config = kv.get(keys.ipamConfig());
        if (config != null) {
            try {
                Json.read(config, IpamConfig.class);
            } catch (IllegalArgumentException ex) {
                add(keys.ipamConfig(), "ipam", ex.getMessage());
            }
        }
    }

    /** The names of the directories and keys right under directory {@code prefix} (ending in '/'), sorted. */
    static TreeSet<String> children(NavigableMap<String, String> kv, String prefix) {
        TreeSet<String> out = new TreeSet<>();
        for (String k : below(kv, prefix).keySet()) {
            String rest = k.substring(prefix.length());
            int slash = rest.indexOf('/');
            out.add(slash < 0 ? rest : rest.substring(0, slash));
        }
        return out;
    }

    /** The keys under directory {@code prefix} (ending in '/'). */
    static NavigableMap<String, String> below(NavigableMap<String, String> kv, String prefix) {
        return kv.subMap(prefix, true, prefix.substring(0, prefix.length() - 1) + "0", false);
    }
}
