package org.calicojava.felix.rules;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The dispatch chains of one direction ({@link StaticChains#dispatch}: the same chains, rule for rule), kept up to
 * date as interfaces come and go: a change rebuilds only the chains on the changed interfaces' paths through the
 * tree (a node's chain depends on its prefix and the interfaces under it), unless the names' common prefix (the
 * root) changes. {@link #update} reports the chains that changed or went away. Not thread-safe.
 */
public final class DispatchTree {
    private static final char MAX = Character.MAX_VALUE;
    private final String root;
    private final boolean in;
    private final String target;
    private final TreeSet<String> ifaces = new TreeSet<>();
    /** Node prefix (interface name head) to its chain; valid for {@link #rootPos}. */
    private final TreeMap<String, Chain> nodes = new TreeMap<>();

    private int rootPos = -1;
    private String rootPrefix = "";
    /** Nodes (re)computed during the current update. */
    private Set<String> dirty;
    /** During an update: nodes that did not exist when it started, and the chains of those that did (by name). */
    private Set<String> created;

    private Map<String, Chain> before;

    /** {@code in}: match the input interface (from-workload dispatch), else the output interface. */
    public DispatchTree(String root, boolean in, String target) {
        this.root = root;
        this.in = in;
        this.target = target;
    }

    public static DispatchTree from() {
        return new DispatchTree(ChainNames.FROM_WL_DISPATCH, true, ChainNames.FROM_WL);
    }

    public static DispatchTree to() {
        return new DispatchTree(ChainNames.TO_WL_DISPATCH, false, ChainNames.TO_WL);
    }

    /**
     * Applies added and removed interfaces; puts the chains that are new or changed into {@code changed} and the
     * names of chains no longer wanted into {@code removed}.
     */
    public void update(
            Collection<String> added,
            Collection<String> removed,
            Map<String, Chain> changed,
            Collection<String> removedChains) {
        boolean any = ifaces.addAll(added) | ifaces.removeAll(removed);
        if (!any && rootPos >= 0) {
            return;
        }
        Map<String, Chain> before = new HashMap<>();
        this.before = before;
        dirty = new HashSet<>();
        created = new HashSet<>();
        String prefix = commonPrefix();
        if (!prefix.equals(rootPrefix) || rootPos < 0) {
            nodes.values().forEach(c -> before.put(c.name(), c));
            nodes.clear();
            rootPos = prefix.length();
            rootPrefix = prefix;
            build(prefix, true);
        } else {
            for (String i : added) {
                path(i, before);
            }
            for (String i : removed) {
                path(i, before);
            }
        }
        Map<String, Chain> now = new HashMap<>();
        for (String p : dirty) {
            Chain c = nodes.get(p);
            if (c != null) {
                now.put(c.name(), c);
                if (before.get(c.name()) != c) {
                    changed.put(c.name(), c);
                }
            }
        }
        before.keySet().forEach(n -> {
            if (!now.containsKey(n)) {
                removedChains.add(n);
            }
        });
        dirty = null;
        created = null;
        this.before = null;
    }

    /** All chains (for a fresh start). */
    public List<Chain> chains() {
        return new ArrayList<>(nodes.values());
    }

    /** Rebuilds the nodes along {@code iface}'s path from the root; old chains of touched nodes go to {@code before}. */
    private void path(String iface, Map<String, Chain> before) {
        String p = rootPrefix;
        while (true) {
            boolean exists = count(p, 1) > 0;
            if (!exists && !p.equals(rootPrefix)) {
                dropSubtree(p, true, before);
                return;
            }
            boolean leaf = node(p);
            if (leaf || iface.length() <= p.length()) {
                if (leaf) {
                    dropSubtree(p, false, before);
                }
                return;
            }
            p = iface.substring(0, p.length() + 1);
        }
    }

    /** Builds node {@code p} and (when {@code deep}, or for children not built yet) everything under it. */
    private void build(String p, boolean deep) {
        boolean leaf = node(p);
        if (!leaf) {
            for (String child : children(p)) {
                if (deep || !nodes.containsKey(child)) {
                    build(child, deep);
                }
            }
        }
    }

    /** (Re)computes node {@code p}'s chain; builds children that do not exist yet. Returns whether it is a leaf. */
    private boolean node(String p) {
        String suffix = p.substring(rootPos);
        String name = suffix.isEmpty() ? root : root + "-" + suffix;
        boolean canSplit = name.length() + (suffix.isEmpty() ? 2 : 1) <= ChainNames.MAX_LENGTH;
        List<Rule> rules = new ArrayList<>();
        boolean leaf = count(p, StaticChains.DISPATCH_LEAF_MAX + 1) <= StaticChains.DISPATCH_LEAF_MAX || !canSplit;
        if (leaf) {
            for (String i : ifaces.subSet(p, true, p + MAX, false)) {
                rules.add(leaf(in, i, ChainNames.of(target, i)));
            }
        } else {
            if (ifaces.contains(p)) {
                rules.add(leaf(in, p, ChainNames.of(target, p)));
            }
            for (String child : children(p)) {
                rules.add(leaf(in, child + "+", root + "-" + child.substring(rootPos)));
                if (!nodes.containsKey(child)) {
                    build(child, false);
                }
            }
        }
        rules.add(new Rule(Action.Verdict.DROP, "unknown interface"));
        Chain old = nodes.get(p);
        if (old == null) {
            created.add(p);
        } else if (!created.contains(p)) {
            before.putIfAbsent(old.name(), old);
        }
        Chain c = new Chain(name, rules);
        nodes.put(p, old != null && old.equals(c) ? old : c);
        dirty.add(p);
        return leaf;
    }

    /** {@code -i|-o IFACE -g CHAIN}: a dispatch rule. */
    static Rule leaf(boolean in, String iface, String chain) {
        return new Rule(new Action.Goto(chain), null, new Match.Iface(in, iface, false));
    }

    /** Removes the nodes under {@code p} (and {@code p} itself when {@code inclusive}). */
    private void dropSubtree(String p, boolean inclusive, Map<String, Chain> before) {
        NavigableMap<String, Chain> sub = nodes.subMap(p, inclusive, p + MAX, false);
        sub.forEach((q, c) -> {
            if (!created.contains(q)) {
                before.putIfAbsent(c.name(), c);
            }
        });
        sub.clear();
    }

    /** Distinct one-character-longer prefixes of the interfaces strictly longer than {@code p}, in order. */
    private List<String> children(String p) {
        List<String> out = new ArrayList<>();
        String from = ifaces.higher(p);
        while (from != null && from.startsWith(p)) {
            String child = from.substring(0, p.length() + 1);
            out.add(child);
            from = ifaces.ceiling(child + MAX);
        }
        return out;
    }

    /** How many interfaces start with {@code p}, counting up to {@code limit}. */
    private int count(String p, int limit) {
        int n = 0;
        Iterator<String> it = ifaces.subSet(p, true, p + MAX, false).iterator();
        while (n < limit && it.hasNext()) {
            it.next();
            n++;
        }
        return n;
    }

    private String commonPrefix() {
        if (ifaces.isEmpty()) {
            return "";
        }
        String a = ifaces.first();
        String b = ifaces.last();
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) {
            n++;
        }
        return a.substring(0, n);
    }
}
