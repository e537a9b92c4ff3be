package org.calicojava.ctl;

import java.nio.file.Path;
import org.calicojava.model.BgpMaxPrefixes;
import org.calicojava.model.BgpPassword;
import org.calicojava.model.BgpPeer;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.store.KeyExistsException;
import org.calicojava.store.KeyValue;
import org.calicojava.store.cli.EtcdOptionsException;
import org.calicojava.store.cli.PasswordFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code peer add IP as ASN [--password-file F] [--accept-default] [--graceful-restart-notification] [--max-prefixes N ...] | remove IP | show}, for
 * global peers ({@code javactl bgp peer ...}) or one node's ({@code javactl node NAME bgp peer ...}). The password is
 * stored in the peer's JSON ({@code "password"}, as Calico's BGPPeer keeps it); {@code show} prints only whether one is
 * set.
 */
@Command(
        name = "peer",
        description = "Add, remove or show BGP peers.",
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

    /**
     * A BGP password from a file only its owner may read (its first line), checked as the templates need it
     * ({@link BgpPassword}); the message names the file, never the password.
     */
    static String readPassword(Path file) {
        String pw;
        try {
            pw = PasswordFile.read("--password-file", file);
        } catch (EtcdOptionsException e) {
            throw Sub.fail(e.getMessage());
        }
        try {
            return BgpPassword.check(pw);
        } catch (IllegalArgumentException e) {
            throw Sub.fail("--password-file: " + file + ": " + e.getMessage());
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

        @Option(
                names = "--password-file",
                paramLabel = "FILE",
                description = "TCP-MD5 password of the session: the "
                        + "first line of FILE, which only its owner may read (chmod 600).")
        Path passwordFile;

        @Option(names = "--accept-default", description = "Accept a default route from this peer (refused otherwise).")
        boolean acceptDefault;

        @Option(
                names = "--graceful-restart-notification",
                description = "RFC 8538: keep this peer's routes as stale through a NOTIFICATION"
                        + " (its hold timer expiring too) as through a lost connection; only when the peer announces"
                        + " it as well. Off by default: a peer that stops with a NOTIFICATION loses its routes at once."
                        + " bgp-speaker only (BIRD 2.0 has no RFC 8538).")
        boolean gracefulRestartNotification;

        @Option(names = "--max-prefixes", paramLabel = "N", description = "Take at most N prefixes per address family.")
        Long maxPrefixes;

        @Option(
                names = "--max-prefixes-action",
                paramLabel = "stop|warn|drop",
                description = "At the limit: stop "
                        + "(close the session, start again after --max-prefixes-restart-after; default), warn or drop.")
        String maxPrefixesAction;

        @Option(
                names = "--max-prefixes-restart-after",
                paramLabel = "SECONDS",
                description = "After a stop, start "
                        + "the session again after this long (default 60; 0: not until a reload).")
        Integer restartAfter;

        @Override
        public void run() {
            if (!as.equals("as")) {
                throw fail("expected 'as' between the peer's IP and AS number (peer add IP as ASN)");
            }
            if (maxPrefixes == null && (maxPrefixesAction != null || restartAfter != null)) {
                throw fail("--max-prefixes-action and --max-prefixes-restart-after need --max-prefixes N");
            }
            BgpMaxPrefixes limit;
            try {
                limit = maxPrefixes == null ? null : new BgpMaxPrefixes(maxPrefixes, maxPrefixesAction, restartAfter);
            } catch (IllegalArgumentException e) {
                throw fail("--max-prefixes: " + e.getMessage());
            }
            String password = passwordFile == null ? null : readPassword(passwordFile);
            BgpPeer peer = new BgpPeer(ip, asn, password, acceptDefault, limit, gracefulRestartNotification);
            String node = node();
            try {
                store().create(key(node, peer.ip()), Json.write(peer));
            } catch (KeyExistsException e) {
                throw fail(scope(node) + " BGP peer " + peer.ip() + " already exists");
            }
            out().println("Added " + scope(node) + " BGP peer " + peer.ip() + " as " + peer.asNum()
                    + (password == null ? "" : " (password: set)"));
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
            Table t = new Table(
                    "Peer address", "AS number", "Password", "Accept default", "Max prefixes", "GR notification");
            for (int v : new int[] {4, 6}) {
                for (KeyValue kv : store().list(prefix(node, v)).kvs()) {
                    try {
                        BgpPeer p = Json.read(kv.value(), BgpPeer.class);
                        BgpMaxPrefixes m = p.maxPrefixes();
                        t.row(
                                p.ip(),
                                p.asNum(),
                                p.password() == null ? "-" : "set",
                                p.acceptsDefault() ? "yes" : "no",
                                m == null
                                        ? "-"
                                        : m.limit() + " " + m.action()
                                                + (m.action().equals("stop")
                                                        ? " restart " + m.restartAfterS() + "s"
                                                        : ""),
                                p.keepsRoutesThroughNotification() ? "yes" : "no");
                    } catch (IllegalArgumentException e) {
                        t.row(kv.key(), "(invalid: " + e.getMessage() + ")", "", "", "", "");
                    }
                }
            }
            t.print(out(), format.value());
        }
    }
}
