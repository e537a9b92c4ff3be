package org.calicojava.felix.nft;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A transaction's steps ({@link NftOp}s) as the nft text {@code nft -f} runs: for the {@code nft} writer, the
 * fallback and tests. Rendered only when asked for, so the netlink writer never builds the text (8.8 MB at 10,000
 * endpoints on a cold start).
 */
final class NftScript {
    /** Elements per {@code add}/{@code delete element} command. */
    static final int ELEMENTS_PER_COMMAND = 2000;

    private NftScript() {}

    static String of(List<NftOp> ops) {
        return render(ops, false);
    }

    /**
     * The same transaction with one command per object, as nft's documentation writes them ({@code add element},
     * {@code add rule}): the form whose batch {@code nft} sends with each set and chain declared once (the faster
     * form above declares a set again with its elements and a chain with its rules), for comparing batches.
     */
    static String plain(List<NftOp> ops) {
        return render(ops, true);
    }

    private static String render(List<NftOp> ops, boolean plain) {
        String t = NftNames.QUALIFIED;
        StringBuilder s = new StringBuilder();
        for (NftOp op : ops) {
            if (op instanceof NftOp.AddTable) {
                s.append("add table ").append(t).append('\n');
            } else if (op instanceof NftOp.AddSet a) {
                s.append("add set ").append(t).append(' ').append(a.name()).append(" { type ");
                s.append(NftSet.type(a.version())).append("; flags interval; }\n");
            } else if (op instanceof NftOp.SetElements e) {
                elements(s, "delete element " + t + " " + e.name(), e.delete());
                elements(
                        s,
                        plain
                                ? "add element " + t + " " + e.name()
                                : "add set " + t + " " + e.name() + " { type " + NftSet.type(e.version())
                                        + "; flags interval; elements =",
                        e.add());
            } else if (op instanceof NftOp.AddMap m) {
                s.append("add map ").append(t).append(' ').append(m.name()).append(" { type ifname : verdict; }\n");
            } else if (op instanceof NftOp.DeclareChain d) {
                s.append("add chain ").append(t).append(' ').append(d.chain().name());
                if (d.chain().hook() != null) {
                    s.append(" { ").append(d.chain().hook()).append(" }");
                }
                s.append('\n');
            } else if (op instanceof NftOp.FillChain f) {
                s.append("flush chain ")
                        .append(t)
                        .append(' ')
                        .append(f.chain().name())
                        .append('\n');
                if (plain) {
                    addRules(s, f.chain(), 0);
                } else {
                    rules(s, f.chain());
                }
            } else if (op instanceof NftOp.EditChain e) {
                for (long h : e.deleted()) {
                    s.append("delete rule ")
                            .append(t)
                            .append(' ')
                            .append(e.chain().name());
                    s.append(" handle ").append(h).append('\n');
                }
                long[] replaced = e.replaced();
                for (int i = 0; i < replaced.length; i++) {
                    s.append("replace rule ")
                            .append(t)
                            .append(' ')
                            .append(e.chain().name());
                    s.append(" handle ").append(replaced[i]).append(' ');
                    rule(s, e.chain(), e.keep() + i);
                }
                addRules(s, e.chain(), e.keep() + replaced.length);
            } else if (op instanceof NftOp.MapElements m) {
                List<String> del = new ArrayList<>(m.delete().size());
                m.delete().forEach(k -> del.add(NftText.string(k)));
                List<String> add = new ArrayList<>(m.add().size());
                for (Map.Entry<String, String> e : m.add().entrySet()) {
                    add.add(NftText.string(e.getKey()) + " : goto " + NftText.identifier(e.getValue()));
                }
                elements(s, "delete element " + t + " " + m.map(), del);
                elements(
                        s,
                        plain
                                ? "add element " + t + " " + m.map()
                                : "add map " + t + " " + m.map() + " { type ifname : verdict; elements =",
                        add);
            } else if (op instanceof NftOp.FlushChain f) {
                s.append("flush chain ").append(t).append(' ').append(f.name()).append('\n');
            } else if (op instanceof NftOp.DeleteMap m) {
                s.append("delete map ").append(t).append(' ').append(m.name()).append('\n');
            } else if (op instanceof NftOp.DeleteChain c) {
                s.append("delete chain ").append(t).append(' ').append(c.name()).append('\n');
            } else if (op instanceof NftOp.DeleteSet d) {
                s.append("delete set ").append(t).append(' ').append(d.name()).append('\n');
            }
        }
        return s.toString();
    }

    /** How many element commands {@code n} elements take. */
    static int commands(int n) {
        return (n + ELEMENTS_PER_COMMAND - 1) / ELEMENTS_PER_COMMAND;
    }

    /**
     * A chain's rules. Written as {@code add chain X { rule; ... }} (which nft runs without fetching the table's
     * chains, sets and elements first: about half the time of an endpoint's add at 10,000 endpoints), except for a
     * base chain and for rules that name a set or map ({@code @name}: nft needs the table's sets to evaluate them),
     * which get one {@code add rule} each.
     */
    private static void rules(StringBuilder s, NftChain c) {
        String t = NftNames.QUALIFIED;
        boolean block = c.hook() == null && c.rules().stream().noneMatch(r -> r.contains("@"));
        if (block && !c.rules().isEmpty()) {
            s.append("add chain ").append(t).append(' ').append(c.name()).append(" {");
            for (int i = 0; i < c.rules().size(); i++) {
                s.append(' ')
                        .append(c.rules().get(i))
                        .append(" comment \"cali:")
                        .append(c.hashes().get(i))
                        .append("\";");
            }
            s.append(" }\n");
            return;
        }
        if (!block) {
            addRules(s, c, 0);
        }
    }

    /** The chain's rules from {@code from} on, one {@code add rule} each. */
    private static void addRules(StringBuilder s, NftChain c, int from) {
        String t = NftNames.QUALIFIED;
        for (int i = from; i < c.rules().size(); i++) {
            s.append("add rule ").append(t).append(' ').append(c.name()).append(' ');
            rule(s, c, i);
        }
    }

    /** Rule {@code i} of {@code c} with its comment, and a newline. */
    private static void rule(StringBuilder s, NftChain c, int i) {
        s.append(c.rules().get(i))
                .append(" comment \"cali:")
                .append(c.hashes().get(i))
                .append("\"\n");
    }

    /**
     * Element commands of at most {@link #ELEMENTS_PER_COMMAND}: {@code delete element T NAME { ... }}, or for adds the
     * set's or map's declaration with {@code elements = { ... }} (which, unlike {@code add element}, nft runs without
     * first fetching every element of every set in the table). {@code head} ends before the braces of the elements.
     */
    private static void elements(StringBuilder s, String head, List<String> elems) {
        boolean declaration = head.endsWith("=");
        for (int from = 0; from < elems.size(); from += ELEMENTS_PER_COMMAND) {
            s.append(head)
                    .append(" { ")
                    .append(String.join(", ", elems.subList(from, Math.min(elems.size(), from + ELEMENTS_PER_COMMAND))))
                    .append(declaration ? " }; }\n" : " }\n");
        }
    }
}
