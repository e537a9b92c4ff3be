package org.calicojava.ctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.calicojava.model.Cidr;
import org.calicojava.model.LogText;
import org.calicojava.model.PortRange;
import org.calicojava.model.Rule;

/**
 * calicoctl's rule grammar, as words:
 * <pre>
 * (inbound|outbound) (allow|deny|log|next-tier)
 *     [[!](tcp|udp|icmp|icmpv6|sctp|udplite|NUMBER)] [[!]type N [[!]code N]]
 *     [from [[!]ports PORTS] [[!]tag TAG] [[!]cidr CIDR] [[!]selector SEL]]
 *     [to   [[!]ports PORTS] [[!]tag TAG] [[!]cidr CIDR] [[!]selector SEL]]
 * </pre>
 * PORTS is a comma list of ports and ranges ("80,443,1000:2000"). "!" may stand alone or prefix the word; "not" too.
 * Pure: parses words to a {@link Rule} and formats a rule back to the same words.
 */
final class RuleGrammar {
    private static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "icmp", "icmpv6", "sctp", "udplite");

    private RuleGrammar() {}

    /** A rule with its direction. */
    record Directed(boolean inbound, Rule rule) {}

    static Directed parseDirected(List<String> words) {
        if (words.isEmpty()) {
            throw new IllegalArgumentException("rule: missing direction (expected: inbound or outbound)");
        }
        String dir = words.get(0).toLowerCase(Locale.ROOT);
        if (!dir.equals("inbound") && !dir.equals("outbound")) {
            throw new IllegalArgumentException(
                    "rule: " + LogText.quote(words.get(0)) + " (expected: inbound or outbound)");
        }
        return new Directed(dir.equals("inbound"), parse(words.subList(1, words.size())));
    }

    static Rule parse(List<String> input) {
        List<String> w = normalise(input);
        Rule.Builder b = Rule.builder();
        int i = 0;
        if (i >= w.size()) {
            throw new IllegalArgumentException("rule: missing action (expected: allow, deny, log or next-tier)");
        }
        String action = w.get(i++).toLowerCase(Locale.ROOT);
        if (!Rule.ACTIONS.contains(action)) {
            throw new IllegalArgumentException(
                    "rule action: " + LogText.quote(action) + " (expected: allow, deny, log or next-tier)");
        }
        b.action = action;
        if (i < w.size() && isProtocol(w.get(i))) {
            String p = w.get(i++);
            if (p.startsWith("!")) {
                b.notProtocol = p.substring(1);
            } else {
                b.protocol = p;
            }
        }
        while (i < w.size()
                && (w.get(i).equals("type")
                        || w.get(i).equals("!type")
                        || w.get(i).equals("code")
                        || w.get(i).equals("!code"))) {
            String k = w.get(i++);
            int n = number(w, i++, k);
            switch (k) {
                case "type" -> b.icmpType = n;
                case "!type" -> b.notIcmpType = n;
                case "code" -> b.icmpCode = n;
                default -> b.notIcmpCode = n;
            }
        }
        while (i < w.size()) {
            String side = w.get(i++);
            if (!side.equals("from") && !side.equals("to")) {
                throw new IllegalArgumentException(
                        "rule: unexpected " + LogText.quote(side) + " (expected: from or to)");
            }
            boolean src = side.equals("from");
            int start = i;
            while (i < w.size() && !w.get(i).equals("from") && !w.get(i).equals("to")) {
                String k = w.get(i++);
                if (i >= w.size()) {
                    throw new IllegalArgumentException("rule: " + LogText.quote(k) + " needs a value");
                }
                String v = w.get(i++);
                boolean neg = k.startsWith("!");
                switch (neg ? k.substring(1) : k) {
                    case "ports" -> {
                        List<PortRange> ports = ports(v);
                        if (src) {
                            if (neg) {
                                b.notSrcPorts = ports;
                            } else {
                                b.srcPorts = ports;
                            }
                        } else {
                            if (neg) {
                                b.notDstPorts = ports;
                            } else {
                                b.dstPorts = ports;
                            }
                        }
                    }
                    case "tag" -> {
                        if (src) {
                            if (neg) {
                                b.notSrcTag = v;
                            } else {
                                b.srcTag = v;
                            }
                        } else {
                            if (neg) {
                                b.notDstTag = v;
                            } else {
                                b.dstTag = v;
                            }
                        }
                    }
                    case "cidr", "net" -> {
                        Cidr c = Cidr.parse(v, true);
                        if (src) {
                            if (neg) {
                                b.notSrcNet = c;
                            } else {
                                b.srcNet = c;
                            }
                        } else {
                            if (neg) {
                                b.notDstNet = c;
                            } else {
                                b.dstNet = c;
                            }
                        }
                    }
                    case "selector" -> {
                        if (src) {
                            if (neg) {
                                b.notSrcSelector = v;
                            } else {
                                b.srcSelector = v;
                            }
                        } else {
                            if (neg) {
                                b.notDstSelector = v;
                            } else {
                                b.dstSelector = v;
                            }
                        }
                    }
                    default ->
                        throw new IllegalArgumentException("rule: unexpected " + LogText.quote(k) + " after "
                                + LogText.quote(side) + " (expected: ports, tag, cidr or selector)");
                }
            }
            if (i == start) {
                throw new IllegalArgumentException(
                        "rule: " + LogText.quote(side) + " needs ports, tag, cidr or selector");
            }
        }
        return b.build();
    }

    /** Joins "!" and "not" with the word after them, lower-cases keywords. */
    private static List<String> normalise(List<String> in) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            String t = in.get(i);
            if ((t.equals("!") || t.equalsIgnoreCase("not")) && i + 1 < in.size()) {
                out.add("!" + in.get(++i).toLowerCase(Locale.ROOT));
            } else if (isKeyword(t)) {
                out.add(t.toLowerCase(Locale.ROOT));
            } else {
                out.add(t);
            }
        }
        return out;
    }

    private static boolean isKeyword(String t) {
        String s = t.startsWith("!") ? t.substring(1) : t;
        return Set.of("from", "to", "ports", "tag", "cidr", "net", "selector", "type", "code")
                        .contains(s.toLowerCase(Locale.ROOT))
                || PROTOCOLS.contains(s.toLowerCase(Locale.ROOT));
    }

    private static boolean isProtocol(String t) {
        String s = t.startsWith("!") ? t.substring(1) : t;
        return PROTOCOLS.contains(s) || s.matches("\\d{1,3}");
    }

    private static int number(List<String> w, int i, String what) {
        if (i >= w.size()) {
            throw new IllegalArgumentException("rule: " + LogText.quote(what) + " needs a number");
        }
        try {
            return Integer.parseInt(w.get(i));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("rule " + what + ": " + LogText.quote(w.get(i)) + " is not a number");
        }
    }

    static List<PortRange> ports(String text) {
        List<PortRange> out = new ArrayList<>();
        for (String p : text.split(",")) {
            out.add(PortRange.parse(p));
        }
        return out;
    }

    /** The words that parse back to {@code r} (without direction). */
    static String format(Rule r) {
        StringBuilder sb = new StringBuilder(r.action());
        if (r.protocol() != null) {
            sb.append(' ').append(r.protocol());
        }
        if (r.notProtocol() != null) {
            sb.append(" !").append(r.notProtocol());
        }
        append(sb, "type", r.icmpType());
        append(sb, "code", r.icmpCode());
        append(sb, "!type", r.notIcmpType());
        append(sb, "!code", r.notIcmpCode());
        side(
                sb,
                "from",
                r.srcPorts(),
                r.notSrcPorts(),
                r.srcTag(),
                r.notSrcTag(),
                r.srcNet(),
                r.notSrcNet(),
                r.srcSelector(),
                r.notSrcSelector());
        side(
                sb,
                "to",
                r.dstPorts(),
                r.notDstPorts(),
                r.dstTag(),
                r.notDstTag(),
                r.dstNet(),
                r.notDstNet(),
                r.dstSelector(),
                r.notDstSelector());
        return sb.toString();
    }

    private static void append(StringBuilder sb, String k, Object v) {
        if (v != null) {
            sb.append(' ').append(k).append(' ').append(v);
        }
    }

    private static void side(
            StringBuilder sb,
            String side,
            List<PortRange> ports,
            List<PortRange> notPorts,
            String tag,
            String notTag,
            Cidr net,
            Cidr notNet,
            String sel,
            String notSel) {
        StringBuilder s = new StringBuilder();
        if (!ports.isEmpty()) {
            s.append(" ports ")
                    .append(String.join(
                            ",", ports.stream().map(PortRange::toString).toList()));
        }
        if (!notPorts.isEmpty()) {
            s.append(" !ports ")
                    .append(String.join(
                            ",", notPorts.stream().map(PortRange::toString).toList()));
        }
        append(s, "tag", tag);
        append(s, "!tag", notTag);
        append(s, "cidr", net);
        append(s, "!cidr", notNet);
        if (sel != null) {
            s.append(" selector \"").append(sel).append('"');
        }
        if (notSel != null) {
            s.append(" !selector \"").append(notSel).append('"');
        }
        if (s.length() > 0) {
            sb.append(' ').append(side).append(s);
        }
    }
}
