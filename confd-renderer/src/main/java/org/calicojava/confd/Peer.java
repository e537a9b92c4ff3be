package org.calicojava.confd;

import java.util.Set;
import org.calicojava.model.AsNumber;
import org.calicojava.model.BgpPassword;
import org.calicojava.model.LogText;
import org.calicojava.model.Names;

/**
 * A BGP neighbour of this node as the templates see it. {@code kind} is Mesh, Global or Node; {@code name} is the
 * BIRD protocol name (kind + "_" + the address with dots and colons replaced by underscores); {@code passive} follows
 * the mesh rule (of two mesh nodes only the lower address connects); {@code rrClient} is set when this node is a
 * route reflector and the peer is another Calico node of the same AS outside its cluster. {@code sourceAddress} is
 * this node's address of the same family (null if it has none); {@code peerNode} the peer's node, if it is one.
 * {@code password} (TCP-MD5, validated by {@link BgpPassword}: printable ASCII without quotes or backslashes) is the
 * peer's own or, for mesh peers, the mesh password; {@code acceptDefault} lets a peer outside the mesh give us a
 * default route; {@code limit} its prefix limit (null: none); {@code gracefulNotification} (peers outside the mesh)
 * turns on RFC 8538 with it in the bgp-speaker (BIRD 2.0 has no RFC 8538: its template ignores the flag).
 * {@link #toString()} never shows the password.
 */
public record Peer(
        String kind,
        String address,
        int version,
        long asNumber,
        boolean passive,
        boolean rrClient,
        boolean internal,
        String sourceAddress,
        String peerNode,
        String password,
        boolean acceptDefault,
        PeerLimit limit,
        boolean gracefulNotification) {
    private static final Set<String> KINDS = Set.of("Mesh", "Global", "Node");

    /** Checks again what ContextBuilder validated: nothing but tokens can reach a template through a Peer. */
    public Peer {
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException(
                    "peer kind: " + LogText.quote(kind) + " (expected: Mesh, Global or Node)");
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
        BgpPassword.check(password);
        if (kind.equals("Mesh") && acceptDefault) {
            throw new IllegalArgumentException("peer " + address + ": acceptDefault is for peers outside the mesh");
        }
        if (kind.equals("Mesh") && gracefulNotification) {
            throw new IllegalArgumentException(
                    "peer " + address + ": gracefulNotification is for peers outside the mesh");
        }
    }

    public Peer(
            String kind,
            String address,
            int version,
            long asNumber,
            boolean passive,
            boolean rrClient,
            boolean internal,
            String sourceAddress,
            String peerNode) {
        this(
                kind,
                address,
                version,
                asNumber,
                passive,
                rrClient,
                internal,
                sourceAddress,
                peerNode,
                null,
                false,
                null,
                false);
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

    /** A global or node peer: its routes go through the safe-import filters. */
    public boolean external() {
        return !kind.equals("Mesh");
    }

    public boolean hasPassword() {
        return password != null;
    }

    /**
     * The password as a BIRD string literal: {@link BgpPassword} admits no {@code "}, {@code \} or control character,
     * so the quotes hold it whole (the BIRD template's token encoder accepts exactly such a literal).
     */
    public String birdPassword() {
        return password == null ? null : "\"" + BgpPassword.check(password) + "\"";
    }

    @Override
    public String toString() {
        return "Peer[" + name() + ", as " + asNumber + (password == null ? "" : ", password set")
                + (acceptDefault ? ", accept default" : "") + (limit == null ? "" : ", " + limit)
                + (gracefulNotification ? ", graceful restart after a NOTIFICATION" : "") + "]";
    }
}
