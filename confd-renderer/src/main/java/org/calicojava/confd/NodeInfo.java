package org.calicojava.confd;

import java.util.Map;
import org.calicojava.model.AsNumber;
import org.calicojava.model.ClusterId;
import org.calicojava.model.Keys;
import org.calicojava.model.Names;

/**
 * One host's BGP settings as read from {@code /calico/bgp/v1/host/<name>/...}, every field validated: {@code name} a
 * Calico name ({@link org.calicojava.model.Names}), addresses canonical (null when absent or invalid), AS number (the
 * host's own, else the global one), route reflector cluster id (a canonical dotted quad; null when absent or invalid).
 * An invalid value is reported in {@link Warnings} and ignored; the rest of the node stays.
 */
public record NodeInfo(String name, String ipv4, String ipv6, long asNumber, boolean ownAs, String rrClusterId) {
    /** Checks again what {@link #read} validated: nothing but tokens can reach a template through a NodeInfo. */
    public NodeInfo {
        Names.check("node", name);
        if (ipv4 != null) {
            Values.address("node IPv4 address", ipv4);
        }
        if (ipv6 != null) {
            Values.address("node IPv6 address", ipv6);
        }
        AsNumber.validate(asNumber);
        if (rrClusterId != null) {
            rrClusterId = new ClusterId(rrClusterId).value();
        }
    }

    static NodeInfo read(
            Keys keys, String name, Map<String, String> kv, long globalAs, AddressCache ips, Warnings warnings) {
        String host = keys.bgpHost(name);
        String v4 = address(kv.get(host + "/ip_addr_v4"), 4, host + "/ip_addr_v4", ips, warnings);
        String v6 = address(kv.get(host + "/ip_addr_v6"), 6, host + "/ip_addr_v6", ips, warnings);
        long as = globalAs;
        boolean own = false;
        String asText = kv.get(host + "/as_num");
        if (asText != null && !asText.isBlank()) {
            try {
                as = AsNumber.parse(EtcdText.plain(asText));
                own = true;
            } catch (IllegalArgumentException e) {
                warnings.add(host + "/as_num", e.getMessage() + "; using " + globalAs);
            }
        }
        String rr = null;
        String rrText = kv.get(host + "/rr_cluster_id");
        if (rrText != null && !rrText.isBlank()) {
            try {
                rr = ClusterId.parse(rrText).value();
            } catch (IllegalArgumentException e) {
                warnings.add(host + "/rr_cluster_id", e.getMessage() + "; ignored (not a route reflector)");
            }
        }
        return new NodeInfo(name, v4, v6, as, own, rr);
    }

    private static String address(String text, int version, String key, AddressCache ips, Warnings warnings) {
        String s;
        try {
            s = EtcdText.plain(text);
        } catch (IllegalArgumentException e) {
            warnings.add(key, e.getMessage() + "; ignored");
            return null;
        }
        if (s == null) {
            return null;
        }
        int slash = s.indexOf('/');
        if (slash > 0) {
            String len = s.substring(slash + 1);
            if (!len.matches("[0-9]{1,3}")) {
                warnings.add(key, "prefix length '" + len + "' is not a number; ignored");
                return null;
            }
            s = s.substring(0, slash); // Calico sometimes stores "10.0.0.1/24"
        }
        try {
            if (ips.version(s) != version) {
                warnings.add(key, "'" + s + "' is not an IPv" + version + " address; ignored");
                return null;
            }
            return ips.canonical(s);
        } catch (IllegalArgumentException e) {
            warnings.add(key, e.getMessage() + "; ignored");
            return null;
        }
    }

    public String ip(int version) {
        return version == 4 ? ipv4 : ipv6;
    }
}
