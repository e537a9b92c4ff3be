package org.calicojava.felix.calc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.RuleRenderer;
import org.calicojava.model.Rule;
import org.calicojava.model.Selector;

/**
 * For the {@link ActiveRules} stage of the {@link Calculator}: the rendered chains of the policies and profiles in
 * use, per IP version, and the tags and selectors their rules reference (counted in {@link FamilySets}, which keeps
 * those ipsets while referenced). A chain is rendered again only when its rules change.
 */
final class RuleChains {
    private final RuleRenderer renderer4 = new RuleRenderer(4);
    private final RuleRenderer renderer6 = new RuleRenderer(6);
    private final Consumer<String> onProblem;
    /** Selector text and where it is used to the parsed selector (null, with a problem reported, when invalid). */
    private final BiFunction<String, String, Selector> selector;

    private final Map<Object, Rendered> rendered = new HashMap<>();

    /** The chains of one policy or profile per family, and the tags and selectors they reference. */
    private record Rendered(
            List<Rule> in,
            List<Rule> out,
            Map<Integer, Chain[]> chains,
            Map<Integer, List<String>> tags,
            Map<Integer, List<String>> sels) {}

    RuleChains(Consumer<String> onProblem, BiFunction<String, String, Selector> selector) {
        this.onProblem = onProblem;
        this.selector = selector;
    }

    void clear() {
        rendered.clear();
    }

    /**
     * The chains {@code inName}/{@code outName} of policy or profile {@code id}: rendered from {@code in} and
     * {@code out} into each family's filter table, or removed when {@code in} is null (not used, or gone).
     */
    void update(
            Object id,
            String inName,
            String outName,
            List<Rule> in,
            List<Rule> out,
            FamilySets[] fams,
            Map<Integer, PersistentMap.Builder<String, Chain>> filter,
            Collection<EndpointIndex.Ep> eps) {
        Rendered old = rendered.remove(id);
        if (in != null) {
            Map<Integer, Chain[]> chains = new HashMap<>();
            Map<Integer, List<String>> tags = new HashMap<>();
            Map<Integer, List<String>> sels = new HashMap<>();
            boolean same = old != null && old.in().equals(in) && old.out().equals(out);
            for (FamilySets f : fams) {
                int v = f.version;
                List<String> t = new ArrayList<>();
                List<String> sl = new ArrayList<>();
                Chain ci = same ? old.chains().get(v)[0] : render(v, inName, in);
                Chain co = same ? old.chains().get(v)[1] : render(v, outName, out);
                references(v, inName, in, t, sl);
                references(v, outName, out, t, sl);
                t.forEach(x -> f.tagRef(x, 1)); // new references first: a set still used is kept, not re-made
                sl.forEach(x -> f.selectorRef(x, selector.apply(x, inName), 1, eps));
                chains.put(v, new Chain[] {ci, co});
                tags.put(v, t);
                sels.put(v, sl);
                filter.get(v).put(inName, ci);
                filter.get(v).put(outName, co);
            }
            rendered.put(id, new Rendered(in, out, chains, tags, sels));
        } else if (old != null) {
            for (FamilySets f : fams) {
                filter.get(f.version).remove(inName);
                filter.get(f.version).remove(outName);
            }
        }
        if (old != null) {
            for (FamilySets f : fams) {
                old.tags().get(f.version).forEach(x -> f.tagRef(x, -1));
                old.sels().get(f.version).forEach(x -> f.selectorRef(x, selector.apply(x, inName), -1, eps));
            }
        }
    }

    private Chain render(int v, String name, List<Rule> rules) {
        return (v == 4 ? renderer4 : renderer6).chain(name, rules, onProblem);
    }

    /** The tags and (valid) selectors the rules of version {@code v} use. */
    private void references(int v, String name, List<Rule> rules, List<String> tags, List<String> sels) {
        for (Rule r : rules) {
            if (r.ipVersion() != 0 && r.ipVersion() != v) {
                continue;
            }
            for (String t : new String[] {r.srcTag(), r.dstTag(), r.notSrcTag(), r.notDstTag()}) {
                if (t != null) {
                    tags.add(t);
                }
            }
            for (String t : new String[] {r.srcSelector(), r.dstSelector(), r.notSrcSelector(), r.notDstSelector()}) {
                if (t != null && selector.apply(t, name) != null) {
                    sels.add(t);
                }
            }
        }
    }
}
