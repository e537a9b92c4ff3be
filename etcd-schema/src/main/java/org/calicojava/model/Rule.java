package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One policy rule in Calico's v1 JSON form. Every match field has a negated form ({@code "!src_net"}).
 * Validation: action known; protocol a name or 1..255 written plainly; ports only with tcp/udp/sctp/udplite; ICMP type/code only
 * with icmp/icmpv6, code only with a type (a negated code only with a negated type); nets valid CIDRs; tags valid names; selectors parse; each port list
 * at most {@value #MAX_PORTS} entries (felix renders a rule per 15 source x 15 destination ports, so two full lists
 * make at most 49 rules).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Rule(
        @JsonProperty("action") String action,
        @JsonProperty("protocol") String protocol,
        @JsonProperty("src_tag") String srcTag,
        @JsonProperty("src_selector") String srcSelector,
        @JsonProperty("src_net") Cidr srcNet,
        @JsonProperty("src_ports") List<PortRange> srcPorts,
        @JsonProperty("dst_tag") String dstTag,
        @JsonProperty("dst_selector") String dstSelector,
        @JsonProperty("dst_net") Cidr dstNet,
        @JsonProperty("dst_ports") List<PortRange> dstPorts,
        @JsonProperty("icmp_type") Integer icmpType,
        @JsonProperty("icmp_code") Integer icmpCode,
        @JsonProperty("!protocol") String notProtocol,
        @JsonProperty("!src_tag") String notSrcTag,
        @JsonProperty("!src_selector") String notSrcSelector,
        @JsonProperty("!src_net") Cidr notSrcNet,
        @JsonProperty("!src_ports") List<PortRange> notSrcPorts,
        @JsonProperty("!dst_tag") String notDstTag,
        @JsonProperty("!dst_selector") String notDstSelector,
        @JsonProperty("!dst_net") Cidr notDstNet,
        @JsonProperty("!dst_ports") List<PortRange> notDstPorts,
        @JsonProperty("!icmp_type") Integer notIcmpType,
        @JsonProperty("!icmp_code") Integer notIcmpCode) {

    public static final int MAX_PORTS = 100;
    public static final Set<String> ACTIONS = Set.of("allow", "deny", "log", "next-tier");
    private static final Set<String> PORT_PROTOCOLS = Set.of("tcp", "udp", "sctp", "udplite", "6", "17", "132", "136");
    private static final Set<String> ICMP_PROTOCOLS = Set.of("icmp", "icmpv6", "1", "58");
    private static final Set<String> PROTOCOL_NAMES = Set.of("tcp", "udp", "icmp", "icmpv6", "sctp", "udplite");

    public Rule {
        action = action == null ? "allow" : action.toLowerCase(Locale.ROOT);
        if (!ACTIONS.contains(action)) {
            throw new IllegalArgumentException(
                    "rule action: " + LogText.quote(action) + " (expected: allow, deny, log or next-tier)");
        }
        protocol = checkProtocol(protocol);
        notProtocol = checkProtocol(notProtocol);
        srcPorts = ports("src_ports", srcPorts);
        dstPorts = ports("dst_ports", dstPorts);
        notSrcPorts = ports("!src_ports", notSrcPorts);
        notDstPorts = ports("!dst_ports", notDstPorts);
        boolean anyPorts =
                !srcPorts.isEmpty() || !dstPorts.isEmpty() || !notSrcPorts.isEmpty() || !notDstPorts.isEmpty();
        if (anyPorts && (protocol == null || !PORT_PROTOCOLS.contains(protocol))) {
            throw new IllegalArgumentException("rule ports: need protocol tcp, udp, sctp or udplite (protocol is "
                    + (protocol == null ? "not set" : protocol) + ")");
        }
        boolean anyIcmp = icmpType != null || icmpCode != null || notIcmpType != null || notIcmpCode != null;
        if (anyIcmp && (protocol == null || !ICMP_PROTOCOLS.contains(protocol))) {
            throw new IllegalArgumentException("rule icmp type/code: need protocol icmp or icmpv6 (protocol is "
                    + (protocol == null ? "not set" : protocol) + ")");
        }
        checkIcmp("icmp_type", icmpType, 254);
        checkIcmp("icmp_code", icmpCode, 255);
        checkIcmp("!icmp_type", notIcmpType, 254);
        checkIcmp("!icmp_code", notIcmpCode, 255);
        if (icmpCode != null && icmpType == null) {
            throw new IllegalArgumentException("rule icmp_code: needs icmp_type");
        }
        if (notIcmpCode != null && notIcmpType == null) { // the renderers match a code only with its type
            throw new IllegalArgumentException("rule !icmp_code: needs !icmp_type");
        }
        for (String tag : new String[] {srcTag, dstTag, notSrcTag, notDstTag}) {
            if (tag != null) {
                Names.check("tag", tag);
            }
        }
        checkNetFamily(srcNet, dstNet, notSrcNet, notDstNet);
        if (anyIcmp) {
            checkIcmpFamily(protocol, srcNet, dstNet, notSrcNet, notDstNet);
        }
        for (String sel : new String[] {srcSelector, dstSelector, notSrcSelector, notDstSelector}) {
            if (sel != null) {
                Selector.parse(sel);
            }
        }
    }

    private static List<PortRange> ports(String what, List<PortRange> p) {
        return Lists.bounded("rule " + what, p, MAX_PORTS); // ranges count once: "1000:2000" is one entry
    }

    private static String checkProtocol(String p) {
        if (p == null) {
            return null;
        }
        String lp = p.toLowerCase(Locale.ROOT);
        if (PROTOCOL_NAMES.contains(lp)) {
            return lp;
        }
        // a number only as written canonically: iptables and nft read "010" as octal 8 and "0" as any protocol,
        // where a plain parse would give 10 and HOPOPT, and "+6" or non-ASCII digits reach no tool the same way
        if (canonicalNumber(lp)) {
            int n = Integer.parseInt(lp);
            if (n >= 1 && n <= 255) {
                return lp;
            }
        }
        throw new IllegalArgumentException("rule protocol: " + LogText.quote(p)
                + " (expected: tcp, udp, icmp, icmpv6, sctp, udplite or a number 1..255)");
    }

    /** 1-3 ASCII digits, the first not 0. */
    private static boolean canonicalNumber(String s) {
        if (s.isEmpty() || s.length() > 3 || s.charAt(0) == '0') {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static void checkIcmp(String what, Integer v, int max) {
        if (v != null && (v < 0 || v > max)) {
            throw new IllegalArgumentException("rule " + what + ": " + v + " (expected: 0.." + max + ")");
        }
    }

    /**
     * An ICMP type or code of one IP version with nets of the other ("icmp" with an IPv6 net) can match no packet,
     * and the rule it gives is refused by the tools ({@code -p icmp -m icmp6} by ip6tables-restore, "conflicting
     * protocols" by nft), which would hold back the whole table's update. Without a type or code such a rule is
     * accepted by both, and matches nothing.
     */
    private static void checkIcmpFamily(String protocol, Cidr... nets) {
        int icmp = "icmp".equals(protocol) || "1".equals(protocol)
                ? 4
                : "icmpv6".equals(protocol) || "58".equals(protocol) ? 6 : 0;
        for (Cidr n : nets) {
            if (n != null && icmp != 0 && n.version() != icmp) {
                throw new IllegalArgumentException("rule protocol " + protocol + ": the rule's nets are IPv"
                        + n.version() + " (expected: " + (n.version() == 4 ? "icmp" : "icmpv6") + ")");
            }
        }
    }

    private static void checkNetFamily(Cidr... nets) {
        Integer version = null;
        for (Cidr n : nets) {
            if (n == null) {
                continue;
            }
            if (version != null && version != n.version()) {
                throw new IllegalArgumentException("rule nets: IPv4 and IPv6 mixed in one rule");
            }
            version = n.version();
        }
    }

    /** IP version this rule is limited to (by its nets or ICMP protocol), or 0 for both. */
    public int ipVersion() {
        for (Cidr n : new Cidr[] {srcNet, dstNet, notSrcNet, notDstNet}) {
            if (n != null) {
                return n.version();
            }
        }
        if ("icmp".equals(protocol) || "1".equals(protocol)) {
            return 4;
        }
        if ("icmpv6".equals(protocol) || "58".equals(protocol)) {
            return 6;
        }
        return 0;
    }

    /**
     * A rule of the plain JSON shape, for {@link LightJson#read}: strings, nets as strings, ports as ints or strings,
     * ICMP type and code as ints, unknown fields ignored. Throws for anything else (databind reads it then).
     */
    static Rule plain(Object json) {
        Map<?, ?> m = LightJson.object(json);
        return new Rule(
                LightJson.text(m, "action"),
                LightJson.text(m, "protocol"),
                LightJson.text(m, "src_tag"),
                LightJson.text(m, "src_selector"),
                net(m, "src_net"),
                LightJson.list(m, "src_ports", MAX_PORTS, PortRange::plain),
                LightJson.text(m, "dst_tag"),
                LightJson.text(m, "dst_selector"),
                net(m, "dst_net"),
                LightJson.list(m, "dst_ports", MAX_PORTS, PortRange::plain),
                LightJson.integer(m, "icmp_type"),
                LightJson.integer(m, "icmp_code"),
                LightJson.text(m, "!protocol"),
                LightJson.text(m, "!src_tag"),
                LightJson.text(m, "!src_selector"),
                net(m, "!src_net"),
                LightJson.list(m, "!src_ports", MAX_PORTS, PortRange::plain),
                LightJson.text(m, "!dst_tag"),
                LightJson.text(m, "!dst_selector"),
                net(m, "!dst_net"),
                LightJson.list(m, "!dst_ports", MAX_PORTS, PortRange::plain),
                LightJson.integer(m, "!icmp_type"),
                LightJson.integer(m, "!icmp_code"));
    }

    /** A rules list of a profile or policy in the plain shape, or null when absent. */
    static List<Rule> plainRules(Map<?, ?> m, String name) {
        return LightJson.list(m, name, ProfileRules.MAX_RULES, Rule::plain);
    }

    private static Cidr net(Map<?, ?> m, String name) {
        Object v = LightJson.field(m, name);
        return v == null ? null : Cidr.plain(v);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable builder for rules (the CLI's rule grammar fills one). */
    public static final class Builder {
        public String action = "allow";
        public String protocol;
        public String srcTag;
        public String srcSelector;
        public Cidr srcNet;
        public List<PortRange> srcPorts;
        public String dstTag;
        public String dstSelector;
        public Cidr dstNet;
        public List<PortRange> dstPorts;
        public Integer icmpType;
        public Integer icmpCode;
        public String notProtocol;
        public String notSrcTag;
        public String notSrcSelector;
        public Cidr notSrcNet;
        public List<PortRange> notSrcPorts;
        public String notDstTag;
        public String notDstSelector;
        public Cidr notDstNet;
        public List<PortRange> notDstPorts;
        public Integer notIcmpType;
        public Integer notIcmpCode;

        public Rule build() {
            return new Rule(
                    action,
                    protocol,
                    srcTag,
                    srcSelector,
                    srcNet,
                    srcPorts,
                    dstTag,
                    dstSelector,
                    dstNet,
                    dstPorts,
                    icmpType,
                    icmpCode,
                    notProtocol,
                    notSrcTag,
                    notSrcSelector,
                    notSrcNet,
                    notSrcPorts,
                    notDstTag,
                    notDstSelector,
                    notDstNet,
                    notDstPorts,
                    notIcmpType,
                    notIcmpCode);
        }
    }
}
