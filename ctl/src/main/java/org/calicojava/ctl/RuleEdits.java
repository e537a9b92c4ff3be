package org.calicojava.ctl;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.calicojava.model.Rule;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The rule-list edits that profiles and policies share: numbered listing, insert at a position, remove by position or
 * by its words, and the {@code rule add} and {@code rule remove} commands themselves.
 */
final class RuleEdits {
    private RuleEdits() {}

    /** Both lists, numbered from 1 as {@code --at} counts. */
    static void print(PrintWriter out, List<Rule> inbound, List<Rule> outbound) {
        out.println("Inbound rules:");
        for (int i = 0; i < inbound.size(); i++) {
            out.printf("  %3d %s%n", i + 1, RuleGrammar.format(inbound.get(i)));
        }
        out.println("Outbound rules:");
        for (int i = 0; i < outbound.size(); i++) {
            out.printf("  %3d %s%n", i + 1, RuleGrammar.format(outbound.get(i)));
        }
    }

    /** {@code list} with {@code rule} at 1-based {@code at} (null: appended). */
    static List<Rule> insert(List<Rule> rules, Integer at, Rule rule) {
        List<Rule> list = new ArrayList<>(rules);
        int pos = at == null ? list.size() : at - 1;
        if (pos < 0 || pos > list.size()) {
            throw Sub.fail("--at=" + at + " (expected: 1.." + (list.size() + 1) + ")");
        }
        list.add(pos, rule);
        return list;
    }

    /** A removal as the command line says it: {@code (inbound|outbound) (--at=POS | RULE WORDS)}. */
    record Removal(String direction, Rule match, Integer at) {
        static Removal parse(List<String> words, Integer at) {
            String dir = words.get(0);
            if (!dir.equals("inbound") && !dir.equals("outbound")) {
                throw Sub.fail("rule: '" + dir + "' (expected: inbound or outbound)");
            }
            Rule match = words.size() > 1 ? RuleGrammar.parse(words.subList(1, words.size())) : null;
            if (match == null && at == null) {
                throw Sub.fail("say which rule: --at=POS or the rule's words");
            }
            return new Removal(dir, match, at);
        }

        boolean inbound() {
            return direction.equals("inbound");
        }

        /** {@code rules} without the rule; {@code owner} ("profile p") names it in the error when there is none. */
        List<Rule> from(List<Rule> rules, String owner) {
            List<Rule> list = new ArrayList<>(rules);
            if (at != null) {
                if (at < 1 || at > list.size()) {
                    throw Sub.fail("--at=" + at + " (expected: 1.." + list.size() + ")");
                }
                list.remove(at - 1);
            } else if (!list.remove(match)) {
                throw Sub.fail(owner + " has no " + direction + " rule '" + RuleGrammar.format(match) + "'");
            }
            return list;
        }
    }

    /** What holds the two rule lists (a profile's rules, a policy), resolved from the command line. */
    interface Holder<T> {
        /** How messages name it: {@code profile p}, {@code policy t/n}. */
        String name();

        List<Rule> rules(T value, boolean inbound);

        T with(T value, boolean inbound, List<Rule> list);

        /** Read-modify-write of its key with compare-and-swap, retried on conflict. */
        void change(UnaryOperator<T> f);
    }

    /** {@code rule add [--at=POS] (inbound|outbound) RULE WORDS}; the subclass names the command and its holder. */
    abstract static class Add<T> extends Sub {
        @Option(names = "--at", paramLabel = "POS", description = "position, 1-based (default: append)")
        Integer at;

        @Parameters(arity = "2..*", paramLabel = "WORD")
        List<String> words;

        /** The holder named on the command line; it must exist. */
        abstract Holder<T> holder();

        @Override
        public void run() {
            RuleGrammar.Directed d = RuleGrammar.parseDirected(words);
            Holder<T> h = holder();
            h.change(v -> h.with(v, d.inbound(), insert(h.rules(v, d.inbound()), at, d.rule())));
            out().println("Rule added to " + h.name());
        }
    }

    /** {@code rule remove (inbound|outbound) (--at=POS | RULE WORDS)}; the subclass names the command and its holder. */
    abstract static class Remove<T> extends Sub {
        @Option(names = "--at", paramLabel = "POS", description = "position, 1-based")
        Integer at;

        @Parameters(arity = "1..*", paramLabel = "WORD")
        List<String> words;

        /** The holder named on the command line; it must exist. */
        abstract Holder<T> holder();

        @Override
        public void run() {
            Removal rm = Removal.parse(words, at);
            Holder<T> h = holder();
            h.change(v -> h.with(v, rm.inbound(), rm.from(h.rules(v, rm.inbound()), h.name())));
            out().println("Rule removed from " + h.name());
        }
    }
}
