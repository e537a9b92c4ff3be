package org.calicojava.ctl;

import org.calicojava.model.BgpPeer;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.store.KeyExistsException;
import org.calicojava.store.KeyValue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code peer add IP as ASN | remove IP | show}, for global peers ({@code javactl bgp peer ...}) or one node's
 * ({@code javactl node NAME bgp peer ...}).
 */
@Command(name = "peer", description = "Add, remove or show BGP peers.",
        subcommands = {BgpPeerCommand.Add.class, BgpPeerCommand.Remove.class, BgpPeerCommand.Show.class})
final class BgpPeerCommand {

    abstract static class PeerSub extends Sub {
        /** The node these peers belong to, or null for global peers. */
        String node() {
            for (CommandLine.Model.CommandSpec s = spec.parent(); s != null; s = s.parent()) {
                if (s.userObject() instanceof NodeCommand n) {
                    return NodeCommand.existing(this, n);
                }
            }
            return null;
        }

        String key(String node, String ip) {
            return node == null ? keys().bgpGlobalPeer(ip) : keys().bgpHostPeer(node, ip);
        }

        String prefix(String node, int version) {
            return node == null ? keys().bgpGlobalPeers(version) : keys().bgpHostPeers(node, version);
        }

        String scope(String node) {
            return node == null ? "global" : "node " + node;
        }
    }

    @Command(name = "add", description = "Add a peer: IP as ASN")
    static final class Add extends PeerSub {
        @Parameters(index = "0", paramLabel = "IP")
        String ip;
        @Parameters(index = "1", paramLabel = "as")
        String as;
        @Parameters(index = "2", paramLabel = "ASN")
        String asn;

        @Override
        public void run() {
            if (!as.equals("as")) {
                throw fail("expected 'as' between the peer's IP and AS number (peer add IP as ASN)");
            }
            BgpPeer peer = new BgpPeer(ip, asn);
            String node = node();
            try {
                store().create(key(node, peer.ip()), Json.write(peer));
            } catch (KeyExistsException e) {
                throw fail(scope(node) + " BGP peer " + peer.ip() + " already exists");
            }
            out().println("Added " + scope(node) + " BGP peer " + peer.ip() + " as " + peer.asNum());
        }
    }

    @Command(name = "remove", description = "Remove a peer: IP")
    static final class Remove extends PeerSub {
        @Parameters(paramLabel = "IP")
        String ip;

        @Override
        public void run() {
            String clean = Cidr.host(ip).ip();
            String node = node();
            if (!store().delete(key(node, clean))) {
                throw fail("no " + scope(node) + " BGP peer " + clean);
            }
            out().println("Removed " + scope(node) + " BGP peer " + clean);
        }
    }

    @Command(name = "show", description = "Show peers.")
    static final class Show extends PeerSub {
        @Mixin
        Format format;

        @Override
        public void run() {
            String node = node();
            Table t = new Table("Peer address", "AS number");
            for (int v : new int[]{4, 6}) {
                for (KeyValue kv : store().list(prefix(node, v)).kvs()) {
                    try {
                        BgpPeer p = Json.read(kv.value(), BgpPeer.class);
                        t.row(p.ip(), p.asNum());
                    } catch (IllegalArgumentException e) {
                        t.row(kv.key(), "(invalid: " + e.getMessage() + ")");
                    }
                }
            }
            t.print(out(), format.value());
        }
    }
}
