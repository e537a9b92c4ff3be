package org.calicojava.bgp.yaml;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.bgp.bfd.BfdSettings;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.config.ConfigException;
import org.calicojava.bgp.config.NeighborConfig;
import org.calicojava.bgp.config.SpeakerConfig;
import org.calicojava.bgp.policy.Policy;
import org.calicojava.bgp.policy.Term;
import org.calicojava.bgp.rib.KernelConfig;
import org.calicojava.bgp.rib.NeighborRouting;
import org.calicojava.bgp.rib.RoutingConfig;

/**
 * The top level of the speaker's YAML, one component per key. The session keys: {@code routerId, asNumber (asplain or
 * asdot), listen{address, port}, holdTime, neighbors, originate, connectRetryTime, idleHoldTime, nextHop{ipv4, ipv6}};
 * the routing keys: {@code policies (name -> list of terms), routeReflector{clusterId}, multipath, alwaysCompareMed,
 * kernel, controlSocket, metrics{port, host}, maxStaleRoutesTime}. The nested mappings check themselves as they are
 * read; {@link #file()} checks what spans several of them (defaults, policy names, duplicate neighbours), with
 * messages that name the whole key. A new section: a component here, a record for its mapping, a line in
 * {@link #file()}.
 */
record SpeakerDocument(
        String routerId,
        String asNumber,
        Sections.Listen listen,
        String holdTime,
        List<NeighborYaml> neighbors,
        List<String> originate,
        String connectRetryTime,
        String idleHoldTime,
        Sections.NextHop nextHop,
        Map<String, List<PolicyYaml>> policies,
        Sections.RouteReflector routeReflector,
        Boolean multipath,
        Boolean alwaysCompareMed,
        Sections.Kernel kernel,
        Sections.ControlSocket controlSocket,
        Sections.Metrics metrics,
        String maxStaleRoutesTime) {
    SpeakerDocument {
        neighbors = neighbors == null ? List.of() : neighbors;
        originate = originate == null ? List.of() : originate;
        policies = policies == null ? Map.of() : policies;
    }

    /** The three configurations, or a {@link ConfigException} naming the first wrong key. */
    SpeakerFile file() {
        for (int i = 0; i < neighbors.size(); i++) {
            if (neighbors.get(i) == null) {
                throw new ConfigException("neighbors[" + i + "]: missing (expected: a mapping)");
            }
        }
        return new SpeakerFile(speaker(), routing(), bfd());
    }

    private SpeakerConfig speaker() {
        int router = Ip.v4Int(Scalars.v4("routerId", Scalars.required("routerId", routerId)));
        long asn = Scalars.asNumber("asNumber", Scalars.required("asNumber", asNumber));
        int hold = Scalars.integer("holdTime", holdTime, 0, 65535, 90);
        SpeakerConfig.checkHold("holdTime", hold);
        List<NeighborConfig> sessions =
                neighbors.stream().map(n -> n.session(hold)).toList();
        List<Prefix> prefixes = new ArrayList<>();
        for (int i = 0; i < originate.size(); i++) {
            String key = "originate[" + i + "]";
            String text = Scalars.required(key, originate.get(i));
            prefixes.add(Scalars.named(key, () -> Prefix.parse(text)));
        }
        return new SpeakerConfig(
                router,
                asn,
                listen == null ? null : listen.ip(),
                listen == null ? 0 : listen.portNumber(),
                hold,
                sessions,
                prefixes,
                Scalars.integer("connectRetryTime", connectRetryTime, 1, 3600, 5),
                Scalars.integer("idleHoldTime", idleHoldTime, 0, 3600, 5),
                nextHop == null ? null : nextHop.v4(),
                nextHop == null ? null : nextHop.v6());
    }

    private RoutingConfig routing() {
        Map<String, Policy> named = new LinkedHashMap<>();
        policies.forEach((name, terms) -> named.put(name, policy(name, terms)));
        Map<InetAddress, NeighborRouting> routes = new LinkedHashMap<>();
        for (int i = 0; i < neighbors.size(); i++) {
            NeighborYaml n = neighbors.get(i);
            String key = "neighbors[" + i + "].";
            known(key + "import", n.importPolicies(), named);
            known(key + "export", n.exportPolicies(), named);
            routes.put(n.ip(), n.routing());
        }
        KernelConfig k = KernelConfig.OFF;
        if (kernel != null) {
            k = kernel.config();
            known("kernel.import", k.importPolicies(), named);
            known("kernel.export", k.exportPolicies(), named);
        }
        return new RoutingConfig(
                named,
                routes,
                routeReflector == null ? 0 : routeReflector.id(),
                Scalars.flag(multipath, false),
                Scalars.flag(alwaysCompareMed, false),
                k,
                controlSocket == null ? null : controlSocket.config(),
                metrics == null ? 0 : metrics.portNumber(),
                Scalars.integer(
                        "maxStaleRoutesTime", maxStaleRoutesTime, 1, 4095, RoutingConfig.DEFAULT_MAX_STALE_ROUTES_TIME),
                metrics == null ? null : metrics.host());
    }

    private Map<InetAddress, BfdSettings> bfd() {
        Map<InetAddress, BfdSettings> out = new LinkedHashMap<>();
        for (NeighborYaml n : neighbors) {
            BfdSettings s = n.bfdSettings();
            if (s != null) {
                out.put(n.ip(), s);
            }
        }
        return out;
    }

    private static Policy policy(String name, List<PolicyYaml> terms) {
        List<Term> out = new ArrayList<>();
        List<PolicyYaml> list = Scalars.required("policies." + name, terms);
        for (int i = 0; i < list.size(); i++) {
            out.add(Scalars.required("policies." + name + "[" + i + "]", list.get(i))
                    .term());
        }
        return new Policy(name, out);
    }

    private static void known(String key, List<String> names, Map<String, Policy> policies) {
        for (String n : names) {
            if (!policies.containsKey(n)) {
                throw new ConfigException(
                        key + ": " + n + " (expected: a policy defined under policies: " + policies.keySet() + ")");
            }
        }
    }
}
