package org.calicojava.confd;

/**
 * A BGP neighbour of this node as the templates see it. {@code kind} is Mesh, Global or Node; {@code name} is the
 * BIRD protocol name (kind + "_" + the address with dots and colons replaced by underscores); {@code passive} follows
 * the mesh rule (of two mesh nodes only the lower address connects); {@code rrClient} is set when this node is a
 * route reflector and the peer is another Calico node of the same AS outside its cluster. {@code sourceAddress} is
 * this node's address of the same family (null if it has none); {@code peerNode} the peer's node, if it is one.
 */
public record Peer(String kind, String address, int version, long asNumber, boolean passive, boolean rrClient,
                   boolean internal, String sourceAddress, String peerNode) {

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
