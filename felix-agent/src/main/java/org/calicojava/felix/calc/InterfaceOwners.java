package org.calicojava.felix.calc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The interface owners stage of the {@link Calculator}: which local active endpoints claim each interface name, and
 * which one owns it (the first in key order; every other claimant is reported as a problem each time the interface is
 * looked at). It reads the {@link EndpointIndex} entries the calculation adds and removes (only endpoints of this host
 * in state {@code active} claim); it produces the result's {@code interfaces} map (interface to owner) and, per run,
 * the list of {@link Decision}s for the interfaces whose claims changed, from which the later stages move routes and
 * chains from one owner to the next.
 */
final class InterfaceOwners {
    private final Consumer<String> onProblem;
    private final Map<String, TreeSet<EndpointKey>> claims = new HashMap<>();
    private final Map<String, EndpointKey> owners = new HashMap<>();
    private PersistentMap.Builder<String, EndpointKey> interfaces =
            PersistentMap.<String, EndpointKey>empty().toBuilder();
    /** Interfaces whose claims changed since the last {@link #resolve}. */
    private Set<String> touched = new LinkedHashSet<>();

    /**
     * What happens at one interface: {@code current} (null: none) is its owner before, {@code wanted} (null: none)
     * after; {@code replace} false means the same owner stays, unchanged (its chains may still need matching again).
     */
    record Decision(String iface, EndpointKey current, EndpointKey wanted, boolean replace) {
        /** The interface had no owner and now has one. */
        boolean added() {
            return current == null && wanted != null;
        }

        /** The interface had an owner and now has none. */
        boolean removed() {
            return current != null && wanted == null;
        }
    }

    InterfaceOwners(Consumer<String> onProblem) {
        this.onProblem = onProblem;
    }

    void reset() {
        claims.clear();
        owners.clear();
        interfaces = PersistentMap.<String, EndpointKey>empty().toBuilder();
        touched = new LinkedHashSet<>();
    }

    /**
     * The claim of endpoint {@code e} (when it is local to {@code hostname}, active, and its interface name starts with
     * {@code prefix}); sets {@code e.claimed}. A local active endpoint whose interface is not a workload interface
     * (another prefix: the host's uplink, {@code lo}) claims nothing and is reported: felix never configures, routes
     * to or filters an interface outside its prefix.
     */
    void claim(EndpointIndex.Ep e, String hostname, String prefix) {
        if (claims(e.key, e.ep, hostname) && !e.ep.name().startsWith(prefix)) {
            onProblem.accept("endpoint " + e.key + ": interface " + e.ep.name()
                    + " is not a workload interface (InterfacePrefix " + prefix + "); ignored");
            return;
        }
        if (claims(e.key, e.ep, hostname)) {
            e.claimed = e.ep.name();
            claims.computeIfAbsent(e.claimed, x -> new TreeSet<>()).add(e.key);
            touched.add(e.claimed);
        }
    }

    /** Whether endpoint {@code ep} claims its interface: it is local to {@code hostname} and active. */
    static boolean claims(EndpointKey key, org.calicojava.model.WorkloadEndpoint ep, String hostname) {
        return key.host().equals(hostname) && ep.state().equals("active");
    }

    /** As {@link #claims(EndpointKey, org.calicojava.model.WorkloadEndpoint, String)}, and a workload interface. */
    static boolean claims(EndpointKey key, org.calicojava.model.WorkloadEndpoint ep, String hostname, String prefix) {
        return claims(key, ep, hostname) && ep.name().startsWith(prefix);
    }

    /** Withdraws the claim of {@code e} (an entry leaving the index), if it made one. */
    void release(EndpointIndex.Ep e) {
        if (e.claimed != null) {
            TreeSet<EndpointKey> c = claims.get(e.claimed);
            c.remove(e.key);
            if (c.isEmpty()) {
                claims.remove(e.claimed);
            }
            touched.add(e.claimed);
        }
    }

    /**
     * Decides the owner of every interface whose claims changed since the last call, in the order they were
     * touched: an owner in {@code dirty} (its endpoint changed) is replaced even when it stays the owner. Reports
     * each claimant that does not own its interface. Owners that go leave {@code interfaces} before the new ones are
     * put in.
     */
    List<Decision> resolve(Set<EndpointKey> dirty) {
        List<Decision> out = new ArrayList<>(touched.size());
        for (String iface : touched) {
            TreeSet<EndpointKey> c = claims.get(iface);
            EndpointKey want = c == null ? null : c.first();
            EndpointKey cur = owners.get(iface);
            boolean keep = cur != null && want != null && cur.equals(want) && !dirty.contains(cur);
            if (!keep && cur != null) {
                owners.remove(iface);
                interfaces.remove(iface);
            }
            if (c != null) {
                c.tailSet(want, false)
                        .forEach(k -> onProblem.accept(
                                "endpoint " + k + ": interface " + iface + " already used by " + want));
            }
            out.add(new Decision(iface, cur, want, !keep));
        }
        touched = new LinkedHashSet<>();
        for (Decision d : out) {
            if (d.replace() && d.wanted() != null) {
                owners.put(d.iface(), d.wanted());
                interfaces.put(d.iface(), d.wanted());
            }
        }
        return out;
    }

    /** The owner of {@code iface}, or null. */
    EndpointKey owner(String iface) {
        return owners.get(iface);
    }

    /** Interface to owner, as this run leaves it. */
    PersistentMap<String, EndpointKey> interfaces() {
        return interfaces.build();
    }
}
