package org.calicojava.felix.rules;

import java.util.List;
import org.calicojava.model.Cidr;
import org.calicojava.model.PortRange;

/**
 * One match criterion of a {@link Rule}, as an immutable value checked when it is made: every name is in the safe set
 * {@link RestoreText} enforces (so each renderer can write it as it is). A rule's matches are ANDed in order. The
 * renderers: {@link IptablesRender} (iptables-restore text), {@code nft.NftRuleRenderer} (nft statement text) and
 * {@code nft.NftExprs} (netlink expressions).
 */
public sealed interface Match {
    /** Source or destination (address, set lookup, port). */
    enum Dir {
        SRC,
        DST
    }

    /** Protocol names and numbers iptables and nft both take; the numbers for netlink. */
    List<String> PROTOCOL_NAMES = List.of("tcp", "udp", "icmp", "icmpv6", "sctp", "udplite", "ipv6-icmp");

    /** {@code -p NAME}: a protocol name of {@link #PROTOCOL_NAMES} or a number 0..255. */
    record Protocol(String name, boolean negated) implements Match {
        public Protocol {
            if (name == null || !(PROTOCOL_NAMES.contains(name) || name.matches("[0-9]{1,3}") && number(name) <= 255)) {
                throw new IllegalArgumentException("protocol: " + ChainNames.describe(name)
                        + " (expected: a number 0..255 or one of " + PROTOCOL_NAMES + ")");
            }
        }

        /** The IP protocol number. */
        public int number() {
            return switch (name) {
                case "tcp" -> 6;
                case "udp" -> 17;
                case "icmp" -> 1;
                case "icmpv6", "ipv6-icmp" -> 58;
                case "sctp" -> 132;
                case "udplite" -> 136;
                default -> number(name);
            };
        }

        private static int number(String s) {
            return Integer.parseInt(s);
        }
    }

    /** {@code -s/-d NET}. */
    record Net(Dir dir, Cidr net, boolean negated) implements Match {
        public Net {
            java.util.Objects.requireNonNull(dir, "dir");
            java.util.Objects.requireNonNull(net, "net");
        }
    }

    /** {@code -m set --match-set SET src|dst}: an address in our ipset (nft: our set) {@code cali4-...}/{@code cali6-...}. */
    record InSet(String set, Dir dir, boolean negated) implements Match {
        public InSet {
            java.util.Objects.requireNonNull(dir, "dir");
            if (!ChainNames.isWord(set, "cali4-", 1, 26) && !ChainNames.isWord(set, "cali6-", 1, 26)) {
                throw new IllegalArgumentException("ipset name: " + ChainNames.describe(set)
                        + " (expected: cali4- or cali6- then letters, digits, '_', '.', '-')");
            }
        }

        /** 4 or 6, from the name. */
        public int version() {
            return set.charAt(4) == '4' ? 4 : 6;
        }
    }

    /**
     * {@code -m multiport --sports|--dports P,Q:R}: any of at most 15 ports (a range counts as two), as multiport takes
     * them; the producer splits longer lists ({@link RuleRenderer}).
     */
    record Ports(Dir dir, List<PortRange> ports, boolean negated) implements Match {
        public static final int MAX = 15;

        public Ports {
            java.util.Objects.requireNonNull(dir, "dir");
            ports = List.copyOf(ports);
            int cost =
                    ports.stream().mapToInt(p -> p.first() == p.last() ? 1 : 2).sum();
            if (ports.isEmpty() || cost > MAX) {
                throw new IllegalArgumentException("multiport: " + ports.size() + " ports, cost " + cost
                        + " (expected: 1.." + MAX + ", a range counting as two)");
            }
        }
    }

    /** {@code -m icmp --icmp-type T[/C]} (version 4) or {@code -m icmp6 --icmpv6-type T[/C]} (version 6). */
    record Icmp(int version, int type, Integer code, boolean negated) implements Match {
        public Icmp {
            if (version != 4 && version != 6) {
                throw new IllegalArgumentException("icmp version: " + version + " (expected: 4 or 6)");
            }
            if (type < 0 || type > 255 || code != null && (code < 0 || code > 255)) {
                throw new IllegalArgumentException("icmp type/code: " + type + "/" + code + " (expected: 0..255)");
            }
        }
    }

    /** {@code -m mark --mark VALUE/MASK}: the packet mark's bits under {@code mask} equal {@code value}. */
    record Mark(int value, int mask, boolean negated) implements Match {
        public Mark {
            if ((value & ~mask) != 0) {
                throw new IllegalArgumentException("mark: " + Marks.hex(value) + " outside mask " + Marks.hex(mask));
            }
        }
    }

    /** Conntrack states, as iptables and nft name them. */
    enum State {
        INVALID(1),
        ESTABLISHED(2),
        RELATED(4),
        NEW(8),
        UNTRACKED(64);

        /** The kernel's ct state bit. */
        public final int bit;

        State(int bit) {
            this.bit = bit;
        }
    }

    /** {@code -m conntrack --ctstate A,B}: the connection is in any of {@code states} (in the order written). */
    record CtState(List<State> states) implements Match {
        public CtState {
            states = List.copyOf(states);
            if (states.isEmpty() || states.stream().distinct().count() != states.size()) {
                throw new IllegalArgumentException("ctstate: " + states + " (expected: distinct states, at least one)");
            }
        }
    }

    /** {@code -i NAME}/{@code -o NAME} ({@code in} false): an interface name, or a prefix when it ends with {@code +}. */
    record Iface(boolean in, String name, boolean negated) implements Match {
        public Iface {
            if (name == null
                    || !name.equals("+")
                            && !ChainNames.isWord(
                                    name.endsWith("+") ? name.substring(0, name.length() - 1) : name, "", 1, 15)) {
                throw new IllegalArgumentException("interface: " + ChainNames.describe(name)
                        + " (expected: at most 15 of letters, digits, '_', '.', '-', optionally then '+')");
            }
        }

        public boolean wildcard() {
            return name.endsWith("+");
        }

        /** The name without the {@code +}. */
        public String stem() {
            return wildcard() ? name.substring(0, name.length() - 1) : name;
        }
    }

    /** {@code -m rpfilter [--invert]}: the source would (or, inverted, would not) be routed back out of the interface. */
    record RpFilter(boolean invert) implements Match {}
}
