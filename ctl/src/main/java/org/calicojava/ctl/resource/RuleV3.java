package org.calicojava.ctl.resource;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.calicojava.model.Cidr;
import org.calicojava.model.LogText;
import org.calicojava.model.PortRange;
import org.calicojava.model.Rule;

/**
 * A rule in calicoctl v3's form, converted to and from the v1 {@link Rule} felix enforces. The constructor converts
 * (so a bad rule fails while its document is read, with the line): actions Allow, Deny, Log, Pass (v1 next-tier);
 * protocol a name (TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite, any case) or a number; {@code icmp}/{@code notICMP}
 * {type, code}; {@code source}/{@code destination} with {@code nets}/{@code notNets} (at most one each: the v1 record
 * holds one), {@code selector}/{@code notSelector}, {@code ports}/{@code notPorts}, and {@code tag}/{@code notTag}
 * (v1 tags, which felix still enforces; not a calicoctl v3 field). Every check of the v1 record applies.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record RuleV3(
        String action,
        Object protocol,
        Object notProtocol,
        IcmpMatch icmp,
        @JsonProperty("notICMP") IcmpMatch notIcmp,
        EntityRule source,
        EntityRule destination) {

    private static final Map<String, String> ACTIONS_TO_V1 =
            Map.of("allow", "allow", "deny", "deny", "log", "log", "pass", "next-tier");
    private static final Map<String, String> ACTIONS_TO_V3 =
            Map.of("allow", "Allow", "deny", "Deny", "log", "Log", "next-tier", "Pass");
    private static final Map<String, String> PROTOCOLS_TO_V3 = Map.of(
            "tcp", "TCP", "udp", "UDP", "icmp", "ICMP", "icmpv6", "ICMPv6", "sctp", "SCTP", "udplite", "UDPLite");

    /** ICMP type and code. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record IcmpMatch(Integer type, Integer code) {}

    /** One side of a rule. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record EntityRule(
            List<Cidr> nets,
            List<Cidr> notNets,
            String selector,
            String notSelector,
            List<PortRange> ports,
            List<PortRange> notPorts,
            String tag,
            String notTag) {
        public EntityRule {
            nets = nets == null ? List.of() : List.copyOf(nets);
            notNets = notNets == null ? List.of() : List.copyOf(notNets);
            ports = ports == null ? List.of() : List.copyOf(ports);
            notPorts = notPorts == null ? List.of() : List.copyOf(notPorts);
            one("nets", nets);
            one("notNets", notNets);
        }

        @JsonIgnore
        boolean isEmpty() {
            return nets.isEmpty()
                    && notNets.isEmpty()
                    && selector == null
                    && notSelector == null
                    && ports.isEmpty()
                    && notPorts.isEmpty()
                    && tag == null
                    && notTag == null;
        }

        private static void one(String what, List<Cidr> nets) {
            if (nets.size() > 1) {
                throw new IllegalArgumentException(what + ": " + nets.size() + " networks (expected: at most 1; the v1 "
                        + "rule holds one, so write one rule per network)");
            }
        }
    }

    public RuleV3 {
        toV1(action, protocol, notProtocol, icmp, notIcmp, source, destination); // validates
    }

    /** The v1 rule felix enforces. */
    public Rule toV1() {
        return toV1(action, protocol, notProtocol, icmp, notIcmp, source, destination);
    }

    private static Rule toV1(
            String action,
            Object protocol,
            Object notProtocol,
            IcmpMatch icmp,
            IcmpMatch notIcmp,
            EntityRule source,
            EntityRule destination) {
        if (action == null) {
            throw new IllegalArgumentException("action: missing (expected: Allow, Deny, Log or Pass)");
        }
        String a = ACTIONS_TO_V1.get(action.toLowerCase(Locale.ROOT));
        if (a == null) {
            throw new IllegalArgumentException(
                    "action: " + LogText.quote(action) + " (expected: Allow, Deny, Log or Pass)");
        }
        Rule.Builder b = Rule.builder();
        b.action = a;
        b.protocol = protocol(protocol);
        b.notProtocol = protocol(notProtocol);
        if (icmp != null) {
            b.icmpType = icmp.type();
            b.icmpCode = icmp.code();
        }
        if (notIcmp != null) {
            b.notIcmpType = notIcmp.type();
            b.notIcmpCode = notIcmp.code();
        }
        if (source != null) {
            b.srcNet = first(source.nets());
            b.notSrcNet = first(source.notNets());
            b.srcSelector = source.selector();
            b.notSrcSelector = source.notSelector();
            b.srcPorts = source.ports();
            b.notSrcPorts = source.notPorts();
            b.srcTag = source.tag();
            b.notSrcTag = source.notTag();
        }
        if (destination != null) {
            b.dstNet = first(destination.nets());
            b.notDstNet = first(destination.notNets());
            b.dstSelector = destination.selector();
            b.notDstSelector = destination.notSelector();
            b.dstPorts = destination.ports();
            b.notDstPorts = destination.notPorts();
            b.dstTag = destination.tag();
            b.notDstTag = destination.notTag();
        }
        return b.build();
    }

    /** The v3 form of a v1 rule (what {@code get} prints). */
    public static RuleV3 of(Rule r) {
        EntityRule src = new EntityRule(
                list(r.srcNet()),
                list(r.notSrcNet()),
                r.srcSelector(),
                r.notSrcSelector(),
                r.srcPorts(),
                r.notSrcPorts(),
                r.srcTag(),
                r.notSrcTag());
        EntityRule dst = new EntityRule(
                list(r.dstNet()),
                list(r.notDstNet()),
                r.dstSelector(),
                r.notDstSelector(),
                r.dstPorts(),
                r.notDstPorts(),
                r.dstTag(),
                r.notDstTag());
        IcmpMatch icmp =
                r.icmpType() == null && r.icmpCode() == null ? null : new IcmpMatch(r.icmpType(), r.icmpCode());
        IcmpMatch notIcmp = r.notIcmpType() == null && r.notIcmpCode() == null
                ? null
                : new IcmpMatch(r.notIcmpType(), r.notIcmpCode());
        return new RuleV3(
                ACTIONS_TO_V3.get(r.action()),
                protocolV3(r.protocol()),
                protocolV3(r.notProtocol()),
                icmp,
                notIcmp,
                src.isEmpty() ? null : src,
                dst.isEmpty() ? null : dst);
    }

    public static List<Rule> toV1(List<RuleV3> rules) {
        return rules == null ? List.of() : rules.stream().map(RuleV3::toV1).toList();
    }

    public static List<RuleV3> of(List<Rule> rules) {
        return rules.stream().map(RuleV3::of).toList();
    }

    private static String protocol(Object p) {
        if (p == null) {
            return null;
        }
        if (!(p instanceof String) && !(p instanceof Integer)) {
            throw new IllegalArgumentException("protocol: " + LogText.quote(String.valueOf(p))
                    + " (expected: TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number 1..255)");
        }
        return p.toString().toLowerCase(Locale.ROOT);
    }

    private static Object protocolV3(String p) {
        if (p == null) {
            return null;
        }
        String name = PROTOCOLS_TO_V3.get(p);
        return name != null ? name : Integer.valueOf(p);
    }

    private static Cidr first(List<Cidr> nets) {
        return nets.isEmpty() ? null : nets.get(0);
    }

    private static List<Cidr> list(Cidr c) {
        return c == null ? List.of() : List.of(c);
    }
}
