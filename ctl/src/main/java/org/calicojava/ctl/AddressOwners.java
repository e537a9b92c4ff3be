package org.calicojava.ctl;

import java.util.Map;
import org.calicojava.ipam.TunnelAddress;

/**
 * Whose allocation an address is, as far as its IPAM record says, for {@code ipam release --from-report}: only an
 * address whose owner records its user where {@code ipam check} looks (an endpoint record, a node's tunnel setting) can
 * be called unused when no such record names it. Such owners: the CNI network plugin (attributes {@code orchestrator}
 * cni, {@code plugin} calico-java-cni, written since this rule), the Docker driver ({@code orchestrator} libnetwork),
 * {@code javactl container} (handle {@code javactl.NAME}) and felix's tunnels (a tunnel {@code type}). Any other
 * allocation (the stand-alone IPAM plugin's, whose caller writes no endpoint; {@code ipam assign}'s; one made before
 * the CNI plugin named itself) has no record of its user: never released from a report.
 */
final class AddressOwners {
    static final String PLUGIN = "plugin";
    static final String CNI_NETWORK_PLUGIN = "calico-java-cni";
    static final String CNI_IPAM_PLUGIN = "calico-java-ipam";

    private AddressOwners() {}

    /** Null when the owner records its user; else why this allocation cannot be judged unused (one line). */
    static String unrecorded(String handle, Map<String, String> attributes) {
        String orchestrator = attributes.get("orchestrator");
        String type = attributes.get("type");
        if (type != null && TunnelAddress.ofType(type).isPresent()) {
            return null;
        }
        if ("libnetwork".equals(orchestrator)) {
            return null;
        }
        if ("cni".equals(orchestrator) && CNI_NETWORK_PLUGIN.equals(attributes.get(PLUGIN))) {
            return null;
        }
        if (handle != null && handle.startsWith(ContainerCommand.ORCHESTRATOR + ".")) {
            return null;
        }
        String who = CNI_IPAM_PLUGIN.equals(attributes.get(PLUGIN))
                ? "the stand-alone IPAM plugin, whose caller writes no endpoint record"
                : "ipam assign, or an owner that did not name itself (an allocation of before this version)";
        return "made by " + who + ": nothing records its user; check it and release it with ipam release --ip";
    }
}
