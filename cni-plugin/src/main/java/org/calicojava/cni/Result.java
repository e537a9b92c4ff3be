package org.calicojava.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.LogText;

/**
 * A CNI success result: interfaces, IP configurations and routes, written in the shape of the version the runtime
 * asked for (1.0.0; 0.3.x and 0.4.0 with "version" in each IP configuration).
 */
public record Result(List<Iface> interfaces, List<IpConfig> ips, List<RouteEntry> routes) {
    /** An interface; {@code sandbox} null for the host's. */
    public record Iface(String name, String mac, String sandbox) {}

    /** An address in CIDR form with its gateway (may be null), on interface {@code iface} (index, or -1: none). */
    public record IpConfig(Cidr address, String addressText, String gateway, int iface) {}

    public record RouteEntry(String dst, String gw) {}

    public ObjectNode toJson(String version) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("cniVersion", version);
        if (!interfaces.isEmpty()) {
            ArrayNode a = n.putArray("interfaces");
            for (Iface i : interfaces) {
                ObjectNode o = a.addObject().put("name", i.name()).put("mac", i.mac());
                if (i.sandbox() != null) {
                    o.put("sandbox", i.sandbox());
                }
            }
        }
        ArrayNode ipa = n.putArray("ips");
        for (IpConfig ip : ips) {
            ObjectNode o = ipa.addObject();
            if (Versions.ipVersionField(version)) {
                o.put("version", ip.address().isIpv4() ? "4" : "6");
            }
            o.put("address", ip.addressText());
            if (ip.gateway() != null) {
                o.put("gateway", ip.gateway());
            }
            if (ip.iface() >= 0) {
                o.put("interface", ip.iface());
            }
        }
        ArrayNode ra = n.putArray("routes");
        for (RouteEntry r : routes) {
            ObjectNode o = ra.addObject().put("dst", r.dst());
            if (r.gw() != null) {
                o.put("gw", r.gw());
            }
        }
        n.putObject("dns");
        return n;
    }

    /** The addresses of an IPAM plugin's result (any supported version), validated. */
    public static List<IpConfig> ipsOf(JsonNode result, String who) {
        JsonNode ips = result == null ? null : result.get("ips");
        if (ips == null || !ips.isArray() || ips.isEmpty()) {
            throw new CniException(CniException.PLUGIN_FAILURE, who + " returned no addresses");
        }
        List<IpConfig> out = new ArrayList<>();
        for (JsonNode ip : ips) {
            String address = ip.path("address").asText("");
            if (!address.contains("/")) {
                throw new CniException(
                        CniException.PLUGIN_FAILURE,
                        who + " returned an address without a prefix: " + LogText.quote(address));
            }
            Cidr c;
            try {
                c = Cidr.parse(address, false);
                Cidr.host(address.substring(0, address.indexOf('/')));
            } catch (IllegalArgumentException e) {
                throw new CniException(CniException.PLUGIN_FAILURE, who + " returned a bad address: " + e.getMessage());
            }
            String gw = null;
            if (ip.hasNonNull("gateway")) {
                try {
                    gw = Cidr.host(ip.get("gateway").asText()).ip();
                } catch (IllegalArgumentException e) {
                    throw new CniException(
                            CniException.PLUGIN_FAILURE, who + " returned a bad gateway: " + e.getMessage());
                }
            }
            out.add(new IpConfig(Cidr.host(address.substring(0, address.indexOf('/'))), address, gw, -1));
            if (c.version() != out.get(out.size() - 1).address().version()) {
                throw new CniException(CniException.PLUGIN_FAILURE, who + " returned a bad address " + address);
            }
        }
        return out;
    }
}
