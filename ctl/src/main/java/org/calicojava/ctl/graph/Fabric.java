package org.calicojava.ctl.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fabric as etcd describes it: nodes (with their workloads and, when node run publishes it, the state of each of
 * their BGP sessions), peers outside the nodes (ToR routers, global peers), and the sessions between them. Built by
 * {@link FabricLoader}; drawn by {@link DotWriter}. Every value in it was validated when loaded.
 */
public final class Fabric {
    /** A workload endpoint: its workload name, addresses and profiles. */
    public record Workload(String name, List<String> ips, List<String> profiles) {}

    /** A calico-java node. {@code sessions}: peer address to state, as the node last reported (empty if never). */
    public record Node(
            String name,
            String ipv4,
            String ipv6,
            String asn,
            String rrClusterId,
            List<Workload> workloads,
            Map<String, String> sessions,
            String statusTime) {
        public boolean isRouteReflector() {
            return rrClusterId != null;
        }
    }

    /** A BGP speaker that is not a node: a ToR or another router; {@code scope} "global" or the node names it peers with. */
    public record External(String ip, String asn) {}

    /** Kinds of session, as calicoctl names the peer types. */
    public enum Kind {
        MESH,
        GLOBAL,
        NODE
    }

    /** One BGP session between node {@code a} and a node or an external peer {@code b} (its address). */
    public record Session(String a, String bAddress, String bNode, Kind kind) {}

    final Map<String, Node> nodes = new TreeMap<>();
    final Map<String, External> externals = new TreeMap<>();
    final List<Session> sessions = new ArrayList<>();
    final List<String> skipped = new ArrayList<>();
    String defaultAsn = "64512";
    boolean mesh = true;

    public Map<String, Node> nodes() {
        return nodes;
    }

    public Map<String, External> externals() {
        return externals;
    }

    public List<Session> sessions() {
        return sessions;
    }

    /** Records that were not valid (one line each, quoted): shown in the picture's legend, never drawn. */
    public List<String> skipped() {
        return skipped;
    }

    public boolean mesh() {
        return mesh;
    }

    public String defaultAsn() {
        return defaultAsn;
    }

    /** The node whose address is {@code ip}, or null. */
    String nodeAt(String ip) {
        for (Node n : nodes.values()) {
            if (ip.equals(n.ipv4()) || ip.equals(n.ipv6())) {
                return n.name();
            }
        }
        return null;
    }

    /** The state node {@code node} reports for its session with {@code address}, or "unknown". */
    public String state(String node, String address) {
        Node n = nodes.get(node);
        if (n == null || address == null) {
            return "unknown";
        }
        return n.sessions().getOrDefault(address, "unknown");
    }
}
