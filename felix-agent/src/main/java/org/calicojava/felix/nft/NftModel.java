package org.calicojava.felix.nft;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.IpSetSpec;
import org.calicojava.felix.calc.PersistentMap;
import org.calicojava.felix.calc.PersistentSet;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.ChainNames;
import org.calicojava.felix.rules.Hashes;
import org.calicojava.felix.rules.Rule;
import org.calicojava.felix.rules.StaticChains;
import org.calicojava.model.Cidr;

/**
 * Turns the calculated rule model ({@link DesiredDataplane}: filter, nat and raw chains of IPv4 and IPv6, ipsets of
 * both) into our {@code inet} table: every chain rendered rule by rule with {@link NftRuleRenderer}; the dispatch
 * by interface, from the model's interfaces (each has its {@code cali-tw-IF} and {@code cali-fw-IF}), as two verdict
 * maps ({@code "IF" : goto cali-fw-IF}) behind the two dispatch chains, where iptables has a chain tree
 * ({@code DispatchChains}); the iptables hooks into built-in chains become our
 * base chains; ipsets become interval sets ({@code cali6-} ones of type {@code ipv6_addr}).
 *
 * <p>One table for both families: a chain whose IPv4 and IPv6 renderings are the same nft text (the endpoint
 * and most static chains) is written once under its name. One whose renderings differ, or that exists in
 * one family only, becomes a family dispatcher {@code NAME: meta nfproto ipv4 goto NAME/4; meta nfproto ipv6 goto
 * NAME/6} in front of the two renderings ({@link NftNames#familyChain}); goto keeps the caller's return semantics.
 * A family without the chain gets no goto line: its packets fall through the dispatcher, i.e. return to the caller
 * (or, for a base chain, meet its accept policy) — as in iptables, where that family's tables do not have the chain
 * and so its packets never traverse it. Chains and sets unchanged since the last build (same objects) are not rendered again, and the
 * result's maps are {@link PersistentMap}s sharing what did not change with the previous result's. Not
 * thread-safe: owned by the dataplane thread.
 */
public final class NftModel {
    private static final List<String> TABLES = List.of("filter", "nat", "raw");
    private static final DesiredDataplane NOTHING = new DesiredDataplane(
            Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
    /** The model of the previous build; its maps are compared with the next one's to find what changed. */
    private DesiredDataplane prev = NOTHING;
    /** Per model chain name: what it became in our table. */
    private final Map<String, Out> byName = new HashMap<>();

    private final PersistentMap.Builder<String, NftChain> chains = PersistentMap.<String, NftChain>empty().toBuilder();
    private final PersistentMap.Builder<String, NftSet> sets = PersistentMap.<String, NftSet>empty().toBuilder();
    private final PersistentMap.Builder<String, String> fromWl = PersistentMap.<String, String>empty().toBuilder();
    private final PersistentMap.Builder<String, String> toWl = PersistentMap.<String, String>empty().toBuilder();
    private final Map<String, NftChain> fixed = new HashMap<>();
    private final Map<String, SetMemo> setMemos = new HashMap<>();
    /**
     * During one build: each distinct rule's nft text and expressions, rendered once (at 10,000 endpoints 80,000
     * endpoint-chain rules are a handful of distinct ones); equal rules then share one {@link NftChain.Exprs}.
     */
    private Map<Rule, Rendered> rendered = new HashMap<>();

    /** A rule rendered: its nft text and its netlink expressions. */
    private record Rendered(String text, NftChain.Exprs exprs) {
        static Rendered of(Rule r) {
            return new Rendered(NftRuleRenderer.render(r), sets -> NftExprs.render(r, sets));
        }
    }

    /**
     * A set as rendered: its spec, the nft set, and (when every member is a host prefix, so normalising is one
     * address per member) the rendered members counted by how many spec members give them, for changing it member
     * by member.
     */
    private record SetMemo(
            IpSetSpec spec, NftSet set, PersistentSet.Builder<String> members, Map<String, Integer> counts) {}

    /** The nft set for {@code s}: member by member from {@code old} when only host prefixes changed, else whole. */
    private static SetMemo set(IpSetSpec s, SetMemo old) {
        if (old != null && old.spec() == s) {
            return old;
        }
        if (old != null
                && old.counts() != null
                && old.spec().name().equals(s.name())
                && old.spec().version() == s.version()) {
            List<Cidr> added = new ArrayList<>();
            List<Cidr> removed = new ArrayList<>();
            boolean[] hostsOnly = {true};
            PersistentSet.changes(old.spec().members(), s.members(), (m, add) -> {
                Cidr c = Cidr.parse(m);
                hostsOnly[0] &= c.prefixLength() == c.maxLength();
                (add ? added : removed).add(c);
            });
            if (hostsOnly[0]) {
                for (Cidr c : removed) {
                    if (old.counts().merge(c.ip(), -1, (a, b) -> a + b == 0 ? null : a + b) == null) {
                        old.members().remove(c.ip());
                    }
                }
                for (Cidr c : added) {
                    if (old.counts().merge(c.ip(), 1, Integer::sum) == 1) {
                        old.members().add(c.ip());
                    }
                }
                return new SetMemo(
                        s, new NftSet(s.name(), s.version(), old.members().build()), old.members(), old.counts());
            }
        }
        Map<String, Integer> counts = new HashMap<>();
        for (String m : s.members()) {
            Cidr c = Cidr.parse(m);
            if (c.prefixLength() != c.maxLength()) {
                counts = null;
                break;
            }
            counts.merge(c.ip(), 1, Integer::sum);
        }
        PersistentSet.Builder<String> members = PersistentSet.<String>empty().toBuilder();
        // host prefixes only: the members are the addresses counted (nothing can cover a host), parsed once
        (counts != null ? counts.keySet() : NftMembers.normalize(s.members())).forEach(members::add);
        return new SetMemo(s, new NftSet(s.name(), s.version(), members.build()), members, counts);
    }

    /**
     * What one model chain name became: its IPv4 and IPv6 chains (model) and renderings, the chains it put into our
     * table (the shared rendering, or a family dispatcher and the family chains), and the shared bodies it uses.
     */
    private record Out(Chain c4, Chain c6, NftChain n4, NftChain n6, List<NftChain> chains, List<String> bodies) {
        Out(Chain c4, Chain c6, NftChain n4, NftChain n6, List<NftChain> chains) {
            this(c4, c6, n4, n6, chains, List.of());
        }
    }

    /**
     * The table for {@code d}. Only the model chains and sets that are not the same objects as in the previous
     * build are rendered again (the calculator keeps unchanged ones, and its persistent maps make the changed names
     * cheap to find), so the result is exactly what a fresh model would build, at the cost of the changes.
     */
    public NftRuleset build(DesiredDataplane d) {
        try {
            return buildOnce(d);
        } finally {
            rendered = new HashMap<>(); // memos of one build only: rules of chains gone must not be kept
            bodyNames = new HashMap<>();
            gotoExprs = new HashMap<>();
            textsOf = new IdentityHashMap<>();
            bodyOf = new IdentityHashMap<>();
        }
    }

    private NftRuleset buildOnce(DesiredDataplane d) {
        Set<String> names = new HashSet<>();
        for (String table : TABLES) {
            PersistentMap.changedKeys(prev.chains(4, table), d.chains(4, table), names::add);
            PersistentMap.changedKeys(prev.chains(6, table), d.chains(6, table), names::add);
        }
        Map<String, Out> next = new HashMap<>();
        for (String name : names) {
            Out o = render(name, d, byName.get(name));
            if (o != null) {
                next.put(name, o);
            }
        }
        for (String name : names) { // first every old output goes (a body may move between chains) ...
            Out old = byName.remove(name);
            if (old != null) {
                old.chains().forEach(c -> chains.remove(c.name()));
                old.bodies().forEach(b -> bodies.get(b).users--);
            }
        }
        next.forEach((name, o) -> { // ... then the new ones come
            byName.put(name, o);
            o.chains().forEach(c -> chains.put(c.name(), c));
            o.bodies().forEach(b -> {
                if (bodies.get(b).users++ == 0) {
                    chains.put(b, bodies.get(b).chain());
                }
            });
        });
        Map<String, ?> now = d.interfaces();
        PersistentMap.changedKeys(prev.interfaces(), now, i -> dispatch(i, now.containsKey(i)));
        bodies.values().removeIf(b -> {
            if (b.users == 0) {
                chains.remove(b.chain().name());
            }
            return b.users == 0;
        });
        Map<String, Map<String, String>> maps = new HashMap<>();
        dispatcher(d, ChainNames.FROM_WL_DISPATCH, NftNames.FROM_WL_MAP, "iifname", fromWl, maps);
        dispatcher(d, ChainNames.TO_WL_DISPATCH, NftNames.TO_WL_MAP, "oifname", toWl, maps);
        for (StaticChains.Hook h : StaticChains.hooks()) {
            String target = h.rule().target();
            String name = NftNames.baseChain(h.table(), h.builtin());
            if (d.chains(4, h.table()).containsKey(target)
                    || d.chains(6, h.table()).containsKey(target)) {
                chains.put(
                        name,
                        fixed.computeIfAbsent(
                                name,
                                n -> chain(
                                        n,
                                        NftNames.hookSpec(h.table(), h.builtin()),
                                        NftNames.hook(h.table(), h.builtin()),
                                        List.of(h.rule()))));
            } else {
                chains.remove(name);
            }
        }
        Set<String> setNames = new HashSet<>();
        PersistentMap.changedKeys(prev.ipsets(), d.ipsets(), setNames::add);
        for (String n : setNames) {
            IpSetSpec s = d.ipsets().get(n);
            IpSetSpec before = prev.ipsets().get(n);
            SetMemo old = setMemos.remove(n);
            if (before != null) {
                sets.remove(before.name());
            }
            if (s != null) {
                SetMemo m = set(s, old);
                setMemos.put(n, m);
                sets.put(s.name(), m.set());
            }
        }
        prev = d;
        return new NftRuleset(chains.build(), sets.build(), maps);
    }

    /** The dispatch maps' elements of interface {@code iface}: its endpoint chains, while it has them. */
    private void dispatch(String iface, boolean present) {
        if (present) {
            fromWl.put(iface, ChainNames.of(ChainNames.FROM_WL, iface));
            toWl.put(iface, ChainNames.of(ChainNames.TO_WL, iface));
        } else {
            fromWl.remove(iface);
            toWl.remove(iface);
        }
    }

    /**
     * The dispatch chain {@code name} (a verdict map lookup, then drop) and its map, when the model has policy (a
     * filter table in either family: its static chains jump to both dispatch chains).
     */
    private void dispatcher(
            DesiredDataplane d,
            String name,
            String map,
            String key,
            PersistentMap.Builder<String, String> elements,
            Map<String, Map<String, String>> maps) {
        if (!d.filter().isEmpty() || !d.filter6().isEmpty()) {
            maps.put(map, elements.build());
            chains.put(
                    name,
                    fixed.computeIfAbsent(
                            name,
                            n -> of(
                                    n,
                                    null,
                                    null,
                                    List.of(key + " vmap @" + map, "drop"),
                                    List.of(
                                            sets -> NftStatements.vmap(key.equals("iifname"), sets.named(map)),
                                            sets -> NftStatements.DROP))));
        } else {
            chains.remove(name);
        }
    }

    /** What model chain {@code name} becomes (the last table having it wins), reusing what did not change. */
    private Out render(String name, DesiredDataplane d, Out old) {
        Out out = null;
        for (String table : TABLES) {
            Chain c4 = d.chains(4, table).get(name);
            Chain c6 = d.chains(6, table).get(name);
            if (c4 != null || c6 != null) {
                out = render(name, c4, c6, old);
            }
        }
        return out;
    }

    private Out render(String name, Chain c4, Chain c6, Out old) {
        boolean same4 = old != null && old.c4() == c4;
        boolean same6 = old != null && old.c6() == c6;
        String prefix = bodyPrefix(name);
        if (prefix != null) {
            return endpoint(name, prefix, c4, c6, old);
        }
        NftChain n4 = c4 == null ? null : same4 ? old.n4() : chain(c4.name(), null, null, c4.rules(), rendered);
        NftChain n6 = c6 == null
                ? null
                : c6 == c4 ? n4 : same6 ? old.n6() : chain(c6.name(), null, null, c6.rules(), rendered);
        if (n4 != null && n6 != null && (n4 == n6 || n4.rules().equals(n6.rules()))) {
            return new Out(c4, c6, n4, n6, List.of(n4)); // same name and text: same hashes
        }
        List<NftChain> outs = new ArrayList<>(3);
        outs.add(null);
        List<String> gotos = new ArrayList<>(2);
        List<NftChain.Exprs> exprs = new ArrayList<>(2);
        for (int v : new int[] {4, 6}) {
            NftChain n = v == 4 ? n4 : n6;
            if (n == null) {
                continue;
            }
            String familyName = NftNames.familyChain(name, v);
            NftChain f = null;
            if (old != null && n == (v == 4 ? old.n4() : old.n6())) {
                f = old.chains().stream()
                        .filter(c -> c.name().equals(familyName))
                        .findFirst()
                        .orElse(null);
            }
            outs.add(f != null ? f : of(familyName, null, null, n.rules(), n.exprs()));
            addGoto(v, familyName, gotos, exprs);
        }
        outs.set(0, gotoChain(name, gotos, exprs, old));
        return new Out(c4, c6, n4, n6, outs);
    }

    /**
     * An endpoint's chain ({@code cali-tw-IF}, {@code cali-fw-IF}): one goto into the chain of its body, shared by
     * every endpoint whose chain has the same rules (they differ only by the profiles: at 10,000 endpoints a
     * handful of bodies instead of 20,000 chains of four rules, which the kernel, the hashing and the encoding
     * paid for). When the families' rules differ, one goto per family ({@code meta nfproto ipv4 goto ...}), a
     * family without the chain falling through, as in the family dispatcher above. Packets take the same path:
     * goto keeps the caller's return, so the body's {@code return} and {@code drop} act as in the endpoint's chain.
     */
    private Out endpoint(String name, String prefix, Chain c4, Chain c6, Out old) {
        List<String> t4 = c4 == null ? null : texts(c4.rules());
        List<String> t6 = c6 == null ? null : c6 == c4 ? t4 : texts(c6.rules());
        List<String> gotos = new ArrayList<>(2);
        List<NftChain.Exprs> exprs = new ArrayList<>(2);
        List<String> used = new ArrayList<>(2);
        if (t4 != null && (t4 == t6 || t4.equals(t6))) {
            used.add(body(prefix, t4, c4.rules()));
            addGoto(0, used.get(0), gotos, exprs);
        } else {
            for (int v : new int[] {4, 6}) {
                List<String> t = v == 4 ? t4 : t6;
                if (t != null) {
                    String b = body(prefix, t, (v == 4 ? c4 : c6).rules());
                    used.add(b);
                    addGoto(v, b, gotos, exprs);
                }
            }
        }
        return new Out(c4, c6, null, null, List.of(gotoChain(name, gotos, exprs, old)), List.copyOf(used));
    }

    /**
     * Adds {@code goto target} ({@code version} 0) or {@code meta nfproto ipvN goto target} to a chain's texts and
     * expressions; each distinct one is one {@link NftChain.Exprs} per build (a batch encodes it once).
     */
    private void addGoto(int version, String target, List<String> texts, List<NftChain.Exprs> exprs) {
        String text = (version == 0 ? "" : "meta nfproto ipv" + version + " ") + "goto " + target;
        texts.add(text);
        exprs.add(gotoExprs.computeIfAbsent(text, t -> {
            List<org.calicojava.netlink.nft.Expr> e =
                    version == 0 ? NftStatements.goTo(target) : NftStatements.familyGoto(version, target);
            return sets -> e;
        }));
    }

    /** The chain {@code name} of these gotos: the old output's first chain when it is that already. */
    private static NftChain gotoChain(String name, List<String> gotos, List<NftChain.Exprs> exprs, Out old) {
        return old != null
                        && !old.chains().isEmpty()
                        && old.chains().get(0).name().equals(name)
                        && old.chains().get(0).rules().equals(gotos)
                ? old.chains().get(0)
                : of(name, null, null, gotos, exprs);
    }

    /** Shared endpoint chain bodies: {@code cali-tw/HASH} and {@code cali-fw/HASH} (no interface has a '/'). */
    static final String BODY_IN = "cali-tw/";

    static final String BODY_OUT = "cali-fw/";

    /** Shared bodies by name, counted by their users (a body no chain goes to is removed at the end of a build). */
    private final Map<String, NftBody> bodies = new HashMap<>();

    /** The name of the shared body of these rules (made when new; counted when its user is put in). */
    private String body(String prefix, List<String> texts, List<Rule> rules) {
        String name = bodyOf.get(texts); // texts shared by identity: one lookup per endpoint
        if (name == null || !name.startsWith(prefix)) {
            name = bodyNames.computeIfAbsent(List.of(prefix, texts), k -> bodyName(prefix, texts));
            bodies.computeIfAbsent(name, n -> new NftBody(chain(n, null, null, rules, rendered)));
            bodyOf.put(texts, name);
        }
        return name;
    }

    /** Within one build: the texts of each rule list seen (by identity), and a body name per texts list. */
    private Map<List<Rule>, List<String>> textsOf = new IdentityHashMap<>();

    private Map<List<String>, String> bodyOf = new IdentityHashMap<>();

    /** The body prefix of an endpoint chain ({@code cali-tw-IF}: {@code cali-tw/}); null for any other chain. */
    static String bodyPrefix(String chain) {
        return chain.startsWith(ChainNames.TO_WL) ? BODY_IN : chain.startsWith(ChainNames.FROM_WL) ? BODY_OUT : null;
    }

    /** The name of the body of these rule texts: the prefix and the hash of the texts. */
    static String bodyName(String prefix, List<String> texts) {
        return prefix + Hashes.short16(String.join("\n", texts));
    }

    /** Within one build: each goto ({@link #addGoto}) as one {@link NftChain.Exprs}. */
    private Map<String, NftChain.Exprs> gotoExprs = new HashMap<>();

    /** Body names by prefix and rule texts, within one build (hashed once per distinct body). */
    private Map<List<Object>, String> bodyNames = new HashMap<>();

    /**
     * The nft texts of {@code rules}: once per list object and build (the calculation shares one list among the
     * endpoints of the same profiles), each distinct rule rendered once.
     */
    private List<String> texts(List<Rule> rules) {
        List<String> done = textsOf.get(rules);
        if (done == null) {
            List<String> out = new ArrayList<>(rules.size());
            for (Rule r : rules) {
                out.add(rendered.computeIfAbsent(r, Rendered::of).text());
            }
            done = List.copyOf(out);
            textsOf.put(rules, done);
        }
        return done;
    }

    /** A chain of rendered rules with chained hashes (over chain name, previous hash, nft text). */
    static NftChain chain(String name, String hook, NftNames.Hook base, List<Rule> rules) {
        return chain(name, hook, base, rules, new HashMap<>());
    }

    /** {@link #chain}, each distinct rule rendered once in {@code memo}. */
    private static NftChain chain(
            String name, String hook, NftNames.Hook base, List<Rule> rules, Map<Rule, Rendered> memo) {
        List<String> texts = new ArrayList<>(rules.size());
        List<NftChain.Exprs> exprs = new ArrayList<>(rules.size());
        for (Rule r : rules) {
            Rendered x = memo.computeIfAbsent(r, Rendered::of);
            texts.add(x.text());
            exprs.add(x.exprs());
        }
        return of(name, hook, base, texts, exprs);
    }

    static NftChain of(String name, String hook, List<String> texts) {
        return of(name, hook, null, texts, null);
    }

    static NftChain of(String name, String hook, NftNames.Hook base, List<String> texts, List<NftChain.Exprs> exprs) {
        List<String> hashes = new ArrayList<>(texts.size());
        String prev = name;
        for (String t : texts) {
            prev = Hashes.short16(prev + "\n" + t);
            hashes.add(prev);
        }
        return new NftChain(name, hook, texts, hashes, base, exprs);
    }
}
