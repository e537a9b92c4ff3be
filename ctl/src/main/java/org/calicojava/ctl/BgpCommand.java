package org.calicojava.ctl;

import org.calicojava.model.AsNumber;
import org.calicojava.model.Json;
import org.calicojava.model.NodeMesh;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "bgp", description = "Global BGP settings: default AS, node-to-node mesh, global peers.",
        subcommands = {BgpCommand.DefaultAs.class, BgpCommand.Mesh.class, BgpPeerCommand.class})
final class BgpCommand {
    static final String DEFAULT_AS = "64512";

    @Command(name = "default-node-as", description = "Show, or set, the AS number of nodes that have none of their own.")
    static final class DefaultAs extends Sub {
        @Parameters(arity = "0..1", paramLabel = "ASN")
        String asn;

        @Override
        public void run() {
            if (asn == null) {
                out().println(store().get(keys().bgpGlobalAsNum()).map(kv -> kv.value()).orElse(DEFAULT_AS));
                return;
            }
            long v = AsNumber.parse(asn);
            store().put(keys().bgpGlobalAsNum(), Long.toString(v));
            out().println("Default node AS number set to " + v);
        }
    }

    @Command(name = "node-mesh", description = "Show, or turn on/off, the full node-to-node BGP mesh.")
    static final class Mesh extends Sub {
        @Parameters(arity = "0..1", paramLabel = "on|off")
        String state;

        @Override
        public void run() {
            if (state == null) {
                boolean on = store().get(keys().bgpNodeMesh())
                        .map(kv -> Json.read(kv.value(), NodeMesh.class).enabled()).orElse(true);
                out().println(on ? "on" : "off");
                return;
            }
            if (!state.equals("on") && !state.equals("off")) {
                throw fail("node-mesh: '" + state + "' (expected: on or off)");
            }
            store().put(keys().bgpNodeMesh(), Json.write(new NodeMesh(state.equals("on"))));
            out().println("Node-to-node mesh " + state);
        }
    }
}
