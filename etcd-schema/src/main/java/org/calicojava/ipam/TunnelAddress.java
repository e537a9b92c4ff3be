package org.calicojava.ipam;

import java.util.Map;
import java.util.Optional;

/**
 * The tunnel addresses felix allocates for a host from IPAM (Calico's names, one place for every writer and reader):
 * the IPAM handle it allocates under, the {@code type} attribute of the allocation (with {@code node}: the host), and
 * the per-host felix config key it records the address under ({@code /calico/v1/host/<host>/config/<KEY>}). felix-agent
 * writes them; javactl reads them ({@code ipam check}, {@code ipam show --tunnels}).
 */
public enum TunnelAddress {
    IPIP("ipipTunnelAddress", "IpInIpTunnelAddr", "ipip-tunnel-addr-", 4),
    VXLAN_V4("vxlanTunnelAddress", "IPv4VXLANTunnelAddr", "vxlan-tunnel-addr-", 4),
    VXLAN_V6("vxlanV6TunnelAddress", "IPv6VXLANTunnelAddr", "vxlan-v6-tunnel-addr-", 6);

    /** The per-host felix config key of a host's VXLAN tunnel MAC (IPv4 VXLAN device). */
    public static final String VXLAN_MAC_V4 = "VXLANTunnelMACAddr";
    /** The per-host felix config key of a host's VXLAN tunnel MAC (IPv6 VXLAN device). */
    public static final String VXLAN_MAC_V6 = "VXLANTunnelMACAddrV6";

    private final String type;
    private final String configKey;
    private final String handlePrefix;
    private final int version;

    TunnelAddress(String type, String configKey, String handlePrefix, int version) {
        this.type = type;
        this.configKey = configKey;
        this.handlePrefix = handlePrefix;
        this.version = version;
    }

    /** The allocation's {@code type} attribute, e.g. {@code ipipTunnelAddress}. */
    public String type() {
        return type;
    }

    /** The per-host felix config key holding the address, e.g. {@code IpInIpTunnelAddr}. */
    public String configKey() {
        return configKey;
    }

    /** 4 or 6. */
    public int version() {
        return version;
    }

    /** The IPAM handle of {@code host}'s address, e.g. {@code ipip-tunnel-addr-h1}. */
    public String handle(String host) {
        return handlePrefix + host;
    }

    /** The attributes the allocation carries: {@code type} and {@code node}. */
    public Map<String, String> attributes(String host) {
        return Map.of("type", type, "node", host);
    }

    /** The VXLAN tunnel address of an IP version. */
    public static TunnelAddress vxlan(int version) {
        return version == 4 ? VXLAN_V4 : VXLAN_V6;
    }

    /** The tunnel address whose allocations carry {@code type} as their {@code type} attribute. */
    public static Optional<TunnelAddress> ofType(String type) {
        for (TunnelAddress t : values()) {
            if (t.type.equals(type)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The tunnel address recorded under the per-host felix config key {@code key}. */
    public static Optional<TunnelAddress> ofConfigKey(String key) {
        for (TunnelAddress t : values()) {
            if (t.configKey.equals(key)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
