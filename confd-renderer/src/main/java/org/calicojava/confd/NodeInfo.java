package org.calicojava.confd;

import org.calicojava.model.AsNumber;
import org.calicojava.model.Keys;

import java.util.Map;

/**
 * One host's BGP settings as read from {@code /calico/bgp/v1/host/<name>/...}: addresses (null when absent or
 * invalid), AS number (the host's own, else the global one) and route reflector cluster id (null when not a reflector).
 */
public record NodeInfo(String name, String ipv4, String ipv6, long asNumber, boolean ownAs, String rrClusterId) {

    static NodeInfo read(Keys keys, String name, Map<String, String> kv, long globalAs, AddressCache ips,
                         Warnings warnings) {
        String host = keys.bgpHost(name);
        String v4 = address(kv.get(host + "/ip_addr_v4"), 4, host + "/ip_addr_v4", ips, warnings);
        String v6 = address(kv.get(host + "/ip_addr_v6"), 6, host + "/ip_addr_v6", ips, warnings);
        long as = globalAs;
        boolean own = false;
        String asText = kv.get(host + "/as_num");
        if (asText != null && !asText.isBlank()) {
            try {
                as = AsNumber.parse(asText.replace("\"", ""));
                own = true;
            } catch (IllegalArgumentException e) {
                warnings.add(host + "/as_num: " + e.getMessage() + "; using " + globalAs);
            }
        }
        String rr = kv.get(host + "/rr_cluster_id");
        rr = rr == null || rr.isBlank() ? null : rr.trim().replace("\"", "");
        return new NodeInfo(name, v4, v6, as, own, rr);
    }

    private static String address(String text, int version, String key, AddressCache ips, Warnings warnings) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String s = text.trim().replace("\"", "");
        int slash = s.indexOf('/');
        if (slash > 0) {
            s = s.substring(0, slash); // Calico sometimes stores "10.0.0.1/24"
        }
        try {
            if (ips.version(s) != version) {
                warnings.add(key + ": '" + text + "' is not an IPv" + version + " address; ignored");
                return null;
            }
            return ips.canonical(s);
        } catch (IllegalArgumentException e) {
            warnings.add(key + ": " + e.getMessage() + "; ignored");
            return null;
        }
    }

    public String ip(int version) {
        return version == 4 ? ipv4 : ipv6;
    }
}
