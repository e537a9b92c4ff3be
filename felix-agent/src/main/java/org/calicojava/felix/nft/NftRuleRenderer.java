package org.calicojava.felix.nft;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.calicojava.felix.rules.Rule;

/**
 * Pure rendering of one rule of the rule model ({@link Rule}: the match and target parts iptables would get) into
 * the nft statement that does the same, e.g. {@code -p tcp -m multiport ! --dports 80,90:99 -j DROP} to
 * {@code meta l4proto tcp th dport != { 80, 90-99 } drop}. It knows exactly the vocabulary the rule model is built
 * from ({@link org.calicojava.felix.rules.RuleRenderer}, {@link org.calicojava.felix.rules.EndpointChains},
 * {@link org.calicojava.felix.rules.StaticChains}); anything else is an {@link IllegalArgumentException} naming the
 * token, never a silently different rule. {@code !} negates the option that follows it, as in iptables.
 */
public final class NftRuleRenderer {
    private NftRuleRenderer() {}

    /** The nft statement (match expressions then verdict), without comment. */
    public static String render(Rule rule) {
        List<String> out = new ArrayList<>();
        matches(tokens(rule.match()), out, rule);
        action(tokens(rule.action()), out, rule);
        return String.join(" ", out);
    }

    private static void matches(List<String> t, List<String> out, Rule rule) {
        boolean neg = false;
        for (int i = 0; i < t.size(); i++) {
            String tok = t.get(i);
            String op = neg ? "!= " : "";
            switch (tok) {
                case "!" -> {
                    neg = true;
                    continue;
                }
                case "-m" -> {
                    if (arg(t, ++i, rule).equals("rpfilter")) { // strict reverse path check, no option of its own
                        if (neg) {
                            throw bad(rule, "negated -m rpfilter");
                        }
                        boolean invert = i + 1 < t.size() && t.get(i + 1).equals("--invert");
                        i += invert ? 1 : 0;
                        out.add("fib saddr . iif oif " + (invert ? "missing counter" : "exists"));
                    }
                    continue; // other modules: the option after the name says what to match
                }
                case "-p" ->
                    out.add("meta l4proto " + op
                            + NftText.word(arg(t, ++i, rule).toLowerCase(Locale.ROOT)));
                case "-s", "-d" -> {
                    String net = arg(t, ++i, rule);
                    out.add(family(net) + (tok.equals("-s") ? " saddr " : " daddr ") + op + NftText.address(net));
                }
                case "-i", "-o" ->
                    out.add((tok.equals("-i") ? "iifname " : "oifname ")
                            + op
                            + quote(arg(t, ++i, rule).replace('+', '*')));
                case "--match-set" -> {
                    String set = arg(t, ++i, rule);
                    String dir = arg(t, ++i, rule);
                    if (!dir.equals("src") && !dir.equals("dst")) {
                        throw bad(rule, "--match-set direction '" + dir + "'");
                    }
                    out.add(setFamily(set, rule) + (dir.equals("src") ? " saddr " : " daddr ") + op + "@"
                            + NftText.identifier(set));
                }
                case "--sports", "--dports" ->
                    out.add("th " + (tok.equals("--sports") ? "sport " : "dport ") + op + ports(arg(t, ++i, rule)));
                case "--icmp-type", "--icmpv6-type" ->
                    out.add(icmp(tok.equals("--icmp-type") ? "icmp" : "icmpv6", arg(t, ++i, rule), neg, rule));
                case "--ctstate" -> {
                    if (neg) {
                        throw bad(rule, "negated --ctstate");
                    }
                    out.add("ct state " + NftText.word(arg(t, ++i, rule).toLowerCase(Locale.ROOT)));
                }
                case "--mark" -> {
                    String[] vm = valueMask(arg(t, ++i, rule), rule);
                    out.add("meta mark & " + NftText.number(vm[1]) + (neg ? " != " : " == ") + NftText.number(vm[0]));
                }
                default -> throw bad(rule, "match option '" + tok + "'");
            }
            neg = false;
        }
        if (neg) {
            throw bad(rule, "'!' without an option after it");
        }
    }

    private static void action(List<String> t, List<String> out, Rule rule) {
        if (t.size() < 2 || !(t.get(0).equals("-j") || t.get(0).equals("-g"))) {
            throw bad(rule, "target '" + rule.action() + "'");
        }
        String target = t.get(1);
        if (t.get(0).equals("-g")) {
            if (t.size() != 2 || !target.startsWith("cali-")) {
                throw bad(rule, "target '" + rule.action() + "'");
            }
            out.add("goto " + chain(target, rule));
            return;
        }
        switch (target) {
            case "ACCEPT" -> out.add("accept");
            case "DROP" -> out.add("drop");
            case "RETURN" -> out.add("return");
            case "MASQUERADE" -> out.add("masquerade");
            case "MARK" -> {
                if (t.size() != 4 || !t.get(2).equals("--set-xmark")) {
                    throw bad(rule, "MARK target '" + rule.action() + "' (expected: --set-xmark V/M)");
                }
                String[] vm = valueMask(t.get(3), rule);
                long keep = ~Long.decode(vm[1]) & 0xffffffffL;
                long value = Long.decode(vm[0]);
                out.add("meta mark set meta mark & 0x" + Long.toHexString(keep)
                        + (value == 0 ? "" : " ^ 0x" + Long.toHexString(value)));
            }
            case "LOG" -> out.add(log(t, rule));
            default -> {
                if (!target.startsWith("cali-")) {
                    throw bad(rule, "target '" + rule.action() + "'");
                }
                out.add("jump " + chain(target, rule));
            }
        }
        if (!target.equals("MARK") && !target.equals("LOG") && t.size() != 2) {
            throw bad(rule, "target '" + rule.action() + "'");
        }
    }

    private static String log(List<String> t, Rule rule) {
        StringBuilder b = new StringBuilder("log");
        for (int i = 2; i < t.size(); i += 2) {
            String v = arg(t, i + 1, rule);
            switch (t.get(i)) {
                case "--log-prefix" -> b.append(" prefix ").append(quote(v));
                case "--log-level" -> b.append(" level ").append(logLevel(v, rule));
                default -> throw bad(rule, "LOG option '" + t.get(i) + "'");
            }
        }
        return b.toString();
    }

    private static final List<String> LEVELS =
            List.of("emerg", "alert", "crit", "err", "warn", "notice", "info", "debug");

    private static String logLevel(String v, Rule rule) {
        if (v.matches("[0-7]")) {
            return LEVELS.get(Integer.parseInt(v));
        }
        if (LEVELS.contains(v)) {
            return v;
        }
        throw bad(rule, "log level '" + v + "'");
    }

    /** Type only, or type/code; a negated type/code pair compares the first 16 bits of the ICMP header at once. */
    private static String icmp(String proto, String v, boolean neg, Rule rule) {
        String[] tc = v.split("/", 2);
        int type = number(tc[0], 255, rule);
        if (tc.length == 1) {
            return proto + " type " + (neg ? "!= " : "") + type;
        }
        int code = number(tc[1], 255, rule);
        if (!neg) {
            return proto + " type " + type + " " + proto + " code " + code;
        }
        return "meta l4proto " + (proto.equals("icmp") ? "icmp" : "ipv6-icmp") + " @th,0,16 != 0x"
                + String.format("%04x", type << 8 | code);
    }

    private static int number(String s, int max, Rule rule) {
        try {
            int n = Integer.parseInt(s);
            if (n >= 0 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw bad(rule, "number '" + s + "' (expected: 0.." + max + ")");
    }

    /** "80,90:99" to "{ 80, 90-99 }". */
    private static String ports(String list) {
        StringBuilder b = new StringBuilder("{ ");
        String[] p = list.split(",");
        for (int i = 0; i < p.length; i++) {
            String[] range = p[i].split(":", 2);
            b.append(i == 0 ? "" : ", ")
                    .append(NftText.number(range[0]))
                    .append(range.length == 2 ? "-" + NftText.number(range[1]) : "");
        }
        return b.append(" }").toString();
    }

    private static String[] valueMask(String s, Rule rule) {
        String[] vm = s.split("/", 2);
        if (vm.length != 2) {
            throw bad(rule, "mark '" + s + "' (expected: VALUE/MASK)");
        }
        return vm;
    }

    private static String family(String net) {
        return net.contains(":") ? "ip6" : "ip";
    }

    private static String setFamily(String set, Rule rule) {
        if (set.startsWith("cali4-")) {
            return "ip";
        }
        if (set.startsWith("cali6-")) {
            return "ip6";
        }
        throw bad(rule, "set '" + set + "' (expected: cali4-... or cali6-...)");
    }

    private static String chain(String name, Rule rule) {
        if (!NftNames.isIdentifier(name)) {
            throw bad(rule, "chain name '" + name + "'");
        }
        return NftText.identifier(name);
    }

    private static String quote(String s) {
        return NftText.string(s);
    }

    private static String arg(List<String> t, int i, Rule rule) {
        if (i >= t.size()) {
            throw bad(rule, "missing value after '" + t.get(i - 1) + "'");
        }
        return t.get(i);
    }

    private static IllegalArgumentException bad(Rule rule, String what) {
        return new IllegalArgumentException("nft rendering of '" + rule.text() + "': unsupported " + what);
    }

    /** Splits at spaces; a double-quoted part is one token (without the quotes). */
    static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if (c == ' ' && !quoted) {
                if (any) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    any = false;
                }
            } else {
                cur.append(c);
                any = true;
            }
        }
        if (any) {
            out.add(cur.toString());
        }
        return out;
    }
}
