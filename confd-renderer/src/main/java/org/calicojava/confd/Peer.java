package org.calicojava.confd;

import org.calicojava.model.AsNumber;
import org.calicojava.model.LogText;
import org.calicojava.model.Names;

/**
 * A BGP neighbour of this node as the templates see it. {@code kind} is Mesh, Global or Node; {@code name} is the
 * BIRD protocol name (kind + "_" + the address with dots and colons replaced by underscores); {@code passive} follows
 * the mesh rule (of two mesh nodes only the lower address connects); {@code rrClient} is set when this node is a
 * route reflector and the peer is another Calico node of the same AS outside its cluster. {@code sourceAddress} is
 * this node's address of the same family (null if it has none); {@code peerNode} the peer's node, if it is one.
 */
public record Peer(String kind, String address, int version, long asNumber, boolean passive, boolean rrClient,
                   boolean internal, String sourceAddress, String peerNode) {
    private static final java.util.Set<String> KINDS = java.util.Set.of("Mesh", "Global", "Node");

    /** Checks again what ContextBuilder validated: nothing but tokens can reach a template through a Peer. */
    public Peer {
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("peer kind: " + LogText.quote(kind) + " (expected: Mesh, Global or Node)");
        }
        Values.address("peer address", address);
        if (sourceAddress != null) {
            Values.address("peer source address", sourceAddress);
        }
        if (version != 4 && version != 6) {
            throw new IllegalArgumentException("peer version: " + version + " (expected: 4 or 6)");
        }
        AsNumber.validate(asNumber);
        if (peerNode != null) {
            Names.check("node", peerNode);
        }
    }


    public String name() {
        return kind + "_" + Helpers.underscores(address);
    }

    public String addressId() {
        return Helpers.underscores(address);
    }

    public boolean ipv4() {
        return version == 4;
    }

    public boolean ipv6() {
        return version == 6;
    }
}
