package org.calicojava.ctl.explain;

import java.util.Locale;
import java.util.Map;
import org.calicojava.model.Cidr;

/**
 * The first packet of a new connection: addresses, protocol (a number), ports (tcp, udp, sctp, udplite) or ICMP
 * type/code. {@code protocol} 0 with no {@code --proto} means "any": then the packet is ICMP echo (what ping sends).
 */
public record Flow(Cidr src, Cidr dst, int protocol, int srcPort, int dstPort, int icmpType, int icmpCode) {
    private static final Map<String, Integer> NAMES =
            Map.of("tcp", 6, "udp", 17, "icmp", 1, "icmpv6", 58, "sctp", 132, "udplite", 136);

    public Flow {
        if (src.version() != dst.version()) {
            throw new IllegalArgumentException(
                    "--from " + src.ip() + " and --to " + dst.ip() + " are of different IP versions");
        }
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("--proto: " + protocol + " (expected: 0..255)");
        }
    }

    /** A protocol name or number. */
    public static int protocol(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        Integer n = NAMES.get(t);
        if (n != null) {
            return n;
        }
        try {
            return Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--proto: '" + text
                    + "' (expected: tcp, udp, icmp, icmpv6, sctp, udplite" + " or a number 0..255)");
        }
    }

    public boolean hasPorts() {
        return protocol == 6 || protocol == 17 || protocol == 132 || protocol == 136;
    }

    public boolean isIcmp() {
        return protocol == 1 || protocol == 58;
    }

    public String describe() {
        String p = NAMES.entrySet().stream()
                .filter(e -> e.getValue() == protocol)
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse(Integer.toString(protocol));
        if (hasPorts()) {
            return p + " " + src.ip() + ":" + srcPort + " -> " + dst.ip() + ":" + dstPort;
        }
        if (isIcmp()) {
            return p + " type " + icmpType + " code " + icmpCode + " " + src.ip() + " -> " + dst.ip();
        }
        return p + " " + src.ip() + " -> " + dst.ip();
    }
}
