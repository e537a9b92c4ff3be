package org.calicojava.netlink;

/**
 * A link to create with {@link Netlink#createLink}: a name, a kind ({@code vxlan}, {@code ipip}, {@code dummy},
 * ...), optionally an MTU and MAC set at creation, and for kind {@code vxlan} its {@link Vxlan} parameters.
 *
 * @param name  interface name, 1..15 bytes ({@link InterfaceNames})
 * @param kind  IFLA_INFO_KIND
 * @param mtu   0: the kernel's default
 * @param mac   null: a random one
 * @param vxlan required for kind vxlan, null otherwise
 */
public record LinkSpec(String name, String kind, int mtu, MacAddress mac, Vxlan vxlan) {
    public LinkSpec {
        Netlink.checkName(name);
        if (kind == null || !kind.matches("[a-z0-9_]{1,15}")) {
            throw new IllegalArgumentException("link kind: " + kind + " (expected: e.g. vxlan, ipip, dummy)");
        }
        if (mtu != 0 && (mtu < 68 || mtu > 65535)) {
            throw new IllegalArgumentException("mtu: " + mtu + " (expected: 68..65535)");
        }
        if (kind.equals("vxlan") != (vxlan != null)) {
            throw new IllegalArgumentException("link " + name + ": kind " + kind
                    + (vxlan == null ? " without vxlan parameters" : " with vxlan parameters")
                    + " (expected: vxlan parameters exactly for kind vxlan)");
        }
    }

    /** A link of {@code kind} with no parameters (e.g. {@code ipip} for tunl0, {@code dummy}). */
    public static LinkSpec of(String name, String kind) {
        return new LinkSpec(name, kind, 0, null, null);
    }

    public static LinkSpec vxlan(String name, Vxlan vxlan, int mtu, MacAddress mac) {
        return new LinkSpec(name, "vxlan", mtu, mac, vxlan);
    }
}
