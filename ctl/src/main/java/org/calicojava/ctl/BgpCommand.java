package org.calicojava.ctl;

import java.nio.file.Path;
import org.calicojava.model.AsNumber;
import org.calicojava.model.Json;
import org.calicojava.model.NodeMesh;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "bgp",
        description = "Global BGP settings: default AS, node-to-node mesh, global peers, BFD.",
        subcommands = {BgpCommand.DefaultAs.class, BgpCommand.Mesh.class, BgpPeerCommand.class, BgpBfdCommand.class})
final class BgpCommand {
    static final String DEFAULT_AS = "64512";

    @Command(
            name = "default-node-as",
            description = "Show, or set, the AS number of nodes that have none of their own.")
    static final class DefaultAs extends Sub {
        @Parameters(arity = "0..1", paramLabel = "ASN")
        String asn;

        @Override
        public void run() {
            if (asn == null) {
                out().println(store().get(keys().bgpGlobalAsNum())
                        .map(kv -> kv.value())
                        .orElse(DEFAULT_AS));
                return;
            }
            long v = AsNumber.parse(asn);
            store().put(keys().bgpGlobalAsNum(), Long.toString(v));
            out().println("Default node AS number set to " + v);
        }
    }

    @Command(
            name = "node-mesh",
            description = "Show, or turn on/off, the full node-to-node BGP mesh; "
                    + "--password-file sets the TCP-MD5 password of every mesh session (kept until --no-password).")
    static final class Mesh extends Sub {
        @Parameters(arity = "0..1", paramLabel = "on|off")
        String state;

        @Option(
                names = "--password-file",
                paramLabel = "FILE",
                description = "The mesh's TCP-MD5 password: the first "
                        + "line of FILE, which only its owner may read (chmod 600).")
        Path passwordFile;

        @Option(names = "--no-password", description = "Remove the mesh password.")
        boolean noPassword;

        @Override
        public void run() {
            NodeMesh current = store().get(keys().bgpNodeMesh())
                    .map(kv -> Json.read(kv.value(), NodeMesh.class))
                    .orElse(new NodeMesh(true));
            if (state == null) {
                if (passwordFile != null || noPassword) {
                    throw fail("node-mesh: --password-file and --no-password need on or off");
                }
                out().println((current.enabled() ? "on" : "off")
                        + (current.password() == null ? "" : " (password: set)"));
                return;
            }
            if (!state.equals("on") && !state.equals("off")) {
                throw fail("node-mesh: '" + state + "' (expected: on or off)");
            }
            if (passwordFile != null && noPassword) {
                throw fail("node-mesh: --password-file or --no-password, not both");
            }
            String password = noPassword
                    ? null
                    : passwordFile != null ? BgpPeerCommand.readPassword(passwordFile) : current.password();
            store().put(keys().bgpNodeMesh(), Json.write(new NodeMesh(state.equals("on"), password)));
            out().println("Node-to-node mesh " + state + (password == null ? "" : " (password: set)"));
        }
    }
}
