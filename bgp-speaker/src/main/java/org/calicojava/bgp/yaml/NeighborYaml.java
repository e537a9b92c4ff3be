package org.calicojava.bgp.yaml;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.InetAddress;
import java.util.List;
import org.calicojava.bgp.bfd.BfdSettings;
import org.calicojava.bgp.codec.AddPathMode;
import org.calicojava.bgp.config.ConfigException;
import org.calicojava.bgp.config.MaxPrefixes;
import org.calicojava.bgp.config.NeighborConfig;
import org.calicojava.bgp.rib.NeighborRouting;

/**
 * One of {@code neighbors}: the session keys ({@code address, asNumber, passive, password, holdTime, ttlSecurity,
 * addPath, gracefulRestart{restartTime, notification}, port, maxPrefixes{limit, action, restartAfter}}), the routing keys
 * ({@code import, export, rrClient, allowOwnAs, nextHop: self|keep}) and {@code bfd}. The constructor refuses what the
 * conversions would refuse; the policy names are checked by {@link SpeakerDocument}, which knows the policies.
 */
record NeighborYaml(
        String address,
        String asNumber,
        Boolean passive,
        String password,
        String holdTime,
        String ttlSecurity,
        String addPath,
        GracefulRestart gracefulRestart,
        String port,
        MaxPrefixesYaml maxPrefixes,
        @JsonProperty("import") List<String> importPolicies,
        @JsonProperty("export") List<String> exportPolicies,
        Boolean rrClient,
        String allowOwnAs,
        String nextHop,
        Bfd bfd) {
    private static final List<String> ADD_PATH = List.of("receive", "send", "both");
    private static final List<String> NEXT_HOP = List.of("self", "keep");

    NeighborYaml {
        Scalars.address("address", Scalars.required("address", address));
        Scalars.asNumber("asNumber", Scalars.required("asNumber", asNumber));
        importPolicies = Scalars.each("import", importPolicies, name -> name);
        exportPolicies = Scalars.each("export", exportPolicies, name -> name);
        session(
                address,
                asNumber,
                passive,
                password,
                holdTime,
                ttlSecurity,
                addPath,
                gracefulRestart,
                port,
                maxPrefixes,
                90);
        Scalars.integer("allowOwnAs", allowOwnAs, 0, 10, 0);
        if (nextHop != null) {
            Scalars.choice("nextHop", nextHop, NEXT_HOP, NEXT_HOP, "self or keep");
        }
    }

    InetAddress ip() {
        return Scalars.address("address", address);
    }

    /** The session settings, with the top level's hold time when the neighbour has none. */
    NeighborConfig session(int defaultHold) {
        return session(
                address,
                asNumber,
                passive,
                password,
                holdTime,
                ttlSecurity,
                addPath,
                gracefulRestart,
                port,
                maxPrefixes,
                defaultHold);
    }

    NeighborRouting routing() {
        return new NeighborRouting(
                ip(),
                importPolicies,
                exportPolicies,
                Scalars.flag(rrClient, false),
                "keep".equals(nextHop),
                Scalars.integer("allowOwnAs", allowOwnAs, 0, 10, 0));
    }

    /** Its BFD settings, or null for no BFD session. */
    BfdSettings bfdSettings() {
        return bfd == null ? null : bfd.settings();
    }

    private static NeighborConfig session(
            String address,
            String asNumber,
            Boolean passive,
            String password,
            String holdTime,
            String ttlSecurity,
            String addPath,
            GracefulRestart gracefulRestart,
            String port,
            MaxPrefixesYaml maxPrefixes,
            int defaultHold) {
        AddPathMode mode = addPath == null
                ? null
                : Scalars.choice(
                        "addPath",
                        addPath,
                        ADD_PATH,
                        List.of(AddPathMode.RECEIVE, AddPathMode.SEND, AddPathMode.BOTH),
                        "receive, send or both");
        return new NeighborConfig(
                Scalars.address("address", address),
                Scalars.integer("port", port, 1, 65535, 179),
                Scalars.asNumber("asNumber", asNumber),
                Scalars.flag(passive, false),
                password,
                Scalars.integer("holdTime", holdTime, 0, 65535, defaultHold),
                Scalars.integer("ttlSecurity", ttlSecurity, 1, 254, 0),
                mode,
                gracefulRestart == null ? -1 : gracefulRestart.time(),
                maxPrefixes == null ? null : maxPrefixes.value(),
                gracefulRestart != null && Scalars.flag(gracefulRestart.notification(), false));
    }

    /**
     * A neighbour's {@code gracefulRestart: {restartTime, notification}}: 120 s by default; {@code notification} (the N
     * bit of RFC 8538, graceful restart after a NOTIFICATION too) false by default: with it, a peer whose hold timer
     * expires keeps its routes stale for the restart time, as after a lost connection (a dead host's routes stay up to
     * hold time + restart time without BFD).
     */
    record GracefulRestart(String restartTime, Boolean notification) {
        GracefulRestart {
            Scalars.integer("restartTime", restartTime, 0, 4095, 120);
        }

        int time() {
            return Scalars.integer("restartTime", restartTime, 0, 4095, 120);
        }
    }

    /** A neighbour's {@code maxPrefixes: {limit: N, action: stop|warn|drop, restartAfter: 60s}}. */
    record MaxPrefixesYaml(String limit, String action, String restartAfter) {
        private static final List<String> ACTIONS = List.of("stop", "warn", "drop");

        MaxPrefixesYaml {
            value(limit, action, restartAfter);
        }

        MaxPrefixes value() {
            return value(limit, action, restartAfter);
        }

        private static MaxPrefixes value(String limit, String action, String restartAfter) {
            String l = Scalars.required("limit", limit).trim();
            if (!l.matches("\\d{1,18}")) {
                throw new ConfigException("limit: " + limit + " (expected: an integer 1..100000000)");
            }
            MaxPrefixes.Action a = action == null
                    ? MaxPrefixes.Action.STOP
                    : Scalars.choice(
                            "action",
                            action,
                            ACTIONS,
                            List.of(MaxPrefixes.Action.STOP, MaxPrefixes.Action.WARN, MaxPrefixes.Action.DROP),
                            "stop, warn or drop");
            int after = restartAfter == null
                    ? MaxPrefixes.DEFAULT_RESTART_AFTER
                    : Scalars.seconds("restartAfter", restartAfter);
            return new MaxPrefixes(Long.parseLong(l), a, after);
        }
    }

    /**
     * A neighbour's {@code bfd}: {@code true} (100 ms, 100 ms, 3), {@code false} (none), or {@code {minRx: 100ms,
     * minTx: 100ms, multiplier: 3, graceful: false}}; intervals as {@code 100ms}, {@code 1s} or milliseconds.
     */
    @Shape("true, false or a mapping with minRx, minTx, multiplier, graceful")
    record Bfd(String minRx, String minTx, String multiplier, Boolean graceful) {
        @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
        Bfd {
            settings(minRx, minTx, multiplier, graceful);
        }

        /** {@code bfd: true} (the defaults) or {@code false} (null: no session). */
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static Bfd of(boolean on) {
            return on ? new Bfd(null, null, null, null) : null;
        }

        BfdSettings settings() {
            return settings(minRx, minTx, multiplier, graceful);
        }

        private static BfdSettings settings(String minRx, String minTx, String multiplier, Boolean graceful) {
            BfdSettings d = BfdSettings.DEFAULT;
            return new BfdSettings(
                    minRx == null ? d.minRxUs() : Scalars.micros("minRx", minRx),
                    minTx == null ? d.minTxUs() : Scalars.micros("minTx", minTx),
                    Scalars.integer("multiplier", multiplier, 1, 255, d.multiplier()),
                    Scalars.flag(graceful, false));
        }
    }
}
