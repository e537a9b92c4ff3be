package org.calicojava.felix.encap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.IpSetSpec;
import org.calicojava.felix.calc.PersistentMap;
import org.calicojava.felix.rules.Action;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.ChainNames;
import org.calicojava.felix.rules.Match;
import org.calicojava.felix.rules.Rule;

/**
 * The IP-in-IP part of felix's policy, as Calico's {@code cali-INPUT}: while an IPIP pool is enabled, the IPv4 set
 * {@value #HOSTS_SET} holds every known host's address ({@code ip_addr_v4}/32) and the first rule of our IPv4 INPUT
 * chain drops protocol 4 (IP-in-IP) from any other source, so only Calico hosts can inject packets through
 * {@code tunl0}. Pure: it adds the set and the rule to what the calculator produced (both backends render them:
 * iptables {@code -p 4 -m set ! --match-set cali4-all-hosts-net src -j DROP}, nftables
 * {@code meta l4proto 4 ip saddr != @cali4-all-hosts-net drop}). Not thread-safe (the dataplane thread's).
 */
public final class IpipPolicy {
    public static final String HOSTS_SET = "cali4-all-hosts-net";
    static final Rule DROP_RULE = new Rule(
            Action.Verdict.DROP,
            "IP-in-IP only from known hosts",
            new Match.Protocol("4", false),
            new Match.InSet(HOSTS_SET, Match.Dir.SRC, true));

    /** What the policy depends on: published by {@link IpipManager}, read by the dataplane thread. */
    public record State(boolean enabled, Set<String> hostNets) {
        public static final State OFF = new State(false, Set.of());

        public State {
            hostNets = Set.copyOf(hostNets);
        }
    }

    private Chain lastBase;
    private Chain lastWith;
    private IpSetSpec lastSet;

    /** {@code d} with the set and the rule when {@code s} is enabled, else {@code d} itself. */
    public DesiredDataplane apply(DesiredDataplane d, State s) {
        if (!s.enabled()) {
            return d;
        }
        Chain base = d.filter().get(ChainNames.INPUT);
        if (base == null) {
            return d;
        }
        if (base != lastBase) { // the same chain object while the calculator did not change it
            List<Rule> rules = new ArrayList<>();
            rules.add(DROP_RULE);
            rules.addAll(base.rules());
            lastWith = new Chain(base.name(), rules);
            lastBase = base;
        }
        PersistentMap.Builder<String, Chain> filter = builder(d.filter());
        filter.put(ChainNames.INPUT, lastWith);
        PersistentMap.Builder<String, IpSetSpec> sets = builder(d.ipsets());
        if (lastSet == null || !lastSet.members().equals(s.hostNets())) { // the same object while unchanged
            lastSet = new IpSetSpec(HOSTS_SET, 4, s.hostNets());
        }
        sets.put(HOSTS_SET, lastSet);
        return new DesiredDataplane(
                d.routes(),
                d.interfaces(),
                filter.build(),
                d.nat(),
                sets.build(),
                d.raw(),
                d.filter6(),
                d.nat6(),
                d.raw6());
    }

    private static <K, V> PersistentMap.Builder<K, V> builder(Map<K, V> m) {
        return m instanceof PersistentMap<K, V> p ? p.toBuilder() : PersistentMap.copyOf(m).toBuilder();
    }
}
