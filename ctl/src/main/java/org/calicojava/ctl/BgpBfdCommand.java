package org.calicojava.ctl;

import java.util.Optional;
import org.calicojava.model.BgpBfd;
import org.calicojava.model.Json;
import org.calicojava.model.Names;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code javactl bgp bfd [on|off|default] [--interval-ms N] [--multiplier N] [--graceful|--no-graceful] [--node NAME]}:
 * BFD for BGP sessions (issue 15), globally at {@code /calico/bgp/v1/global/bfd} or, with {@code --node}, the node's
 * override at {@code /calico/bgp/v1/host/NAME/bfd} ({@code default} removes it). Without on/off it prints the setting.
 */
@Command(
        name = "bfd",
        description = "Show, or turn on/off, BFD on the BGP sessions (fast failure detection): "
                + "globally, or for one node with --node (default: drop the node's own setting).")
final class BgpBfdCommand extends Sub {
    @Parameters(arity = "0..1", paramLabel = "on|off|default")
    String state;

    @Option(
            names = "--interval-ms",
            paramLabel = "N",
            description = "Transmit and receive interval in ms (1..60000, default 100).")
    Integer intervalMs;

    @Option(
            names = "--multiplier",
            paramLabel = "N",
            description = "Packets missed before the session is down (1..255, default 3).")
    Integer multiplier;

    @Option(
            names = "--graceful",
            negatable = true,
            description = "On BFD down keep the peer's routes as stale when graceful "
                    + "restart was negotiated (BIRD's 'bfd graceful'); default: remove them at once.")
    Boolean graceful;

    @Option(
            names = "--node",
            paramLabel = "NAME",
            description = "Set this node's own BFD setting instead of the global one.")
    String node;

    @Override
    public void run() {
        String key = node == null ? keys().bgpBfd() : keys().bgpHostBfd(Names.check("node", node));
        Optional<BgpBfd> current = read(key);
        if (state == null) {
            if (intervalMs != null || multiplier != null || graceful != null) {
                throw fail("bfd: --interval-ms, --multiplier and --graceful need on or off");
            }
            if (node != null && current.isEmpty()) {
                Optional<BgpBfd> global = read(keys().bgpBfd());
                out().println("default (global: " + describe(global.orElse(null)) + ")");
            } else {
                out().println(describe(current.orElse(null)));
            }
            return;
        }
        if (state.equals("default")) {
            if (node == null) {
                throw fail("bfd: default is for --node (it removes the node's own setting)");
            }
            if (intervalMs != null || multiplier != null || graceful != null) {
                throw fail("bfd: default takes no options");
            }
            store().delete(key);
            out().println("BFD for node " + node + ": the global setting");
            return;
        }
        if (!state.equals("on") && !state.equals("off")) {
            throw fail("bfd: '" + state + "' (expected: on, off or default)");
        }
        // unset options keep the current values: the node's own, else (for a new override) the global ones
        BgpBfd base = current.or(() -> node == null ? Optional.empty() : read(keys().bgpBfd()))
                .orElse(new BgpBfd(false, BgpBfd.DEFAULT_INTERVAL_MS, BgpBfd.DEFAULT_MULTIPLIER));
        BgpBfd next;
        try {
            next = new BgpBfd(
                    state.equals("on"),
                    intervalMs != null ? intervalMs : base.minRxMs(),
                    intervalMs != null ? intervalMs : base.minTxMs(),
                    multiplier != null ? multiplier : base.multiplier(),
                    graceful != null ? graceful : base.graceful());
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage());
        }
        store().put(key, Json.write(next));
        out().println("BFD " + describe(next) + (node == null ? "" : " for node " + node));
    }

    private Optional<BgpBfd> read(String key) {
        return store().get(key).map(kv -> {
            try {
                return Json.read(kv.value(), BgpBfd.class);
            } catch (IllegalArgumentException e) {
                throw fail("bfd: " + key + " holds an invalid value (" + e.getMessage()
                        + "); set it again with on or off");
            }
        });
    }

    static String describe(BgpBfd b) {
        if (b == null || !b.enabled()) {
            return "off";
        }
        String interval = b.minRxMs().equals(b.minTxMs())
                ? "interval " + b.minRxMs() + " ms"
                : "rx " + b.minRxMs() + " ms, tx " + b.minTxMs() + " ms";
        return "on (" + interval + ", multiplier " + b.multiplier() + (b.graceful() ? ", graceful" : "") + ")";
    }
}
