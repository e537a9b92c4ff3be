package org.calicojava.bgp.rib;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.calicojava.bgp.control.ControlConfig;
import org.calicojava.bgp.policy.Policy;

/**
 * The routing part of the speaker's YAML: policies, per-neighbour import/export and route-reflector client
 * flags, the route reflector's cluster id, multipath, kernel, control socket and metrics.
 *
 * @param clusterId RFC 4456 cluster id (int), or 0 when not a route reflector
 * @param control     the control socket's settings (its path null: no control socket)
 * @param metricsPort 0 = no metrics endpoint
 * @param metricsHost the address the metrics endpoint listens on (an IP literal; default 0.0.0.0, as Calico)
 * @param maxStaleRoutesTime seconds a restarting peer's stale routes are kept at most (graceful restart, RFC 4724),
 *                           whatever restart time the peer announces
 */
public record RoutingConfig(
        Map<String, Policy> policies,
        Map<InetAddress, NeighborRouting> neighbors,
        int clusterId,
        boolean multipath,
        boolean alwaysCompareMed,
        KernelConfig kernel,
        ControlConfig control,
        int metricsPort,
        int maxStaleRoutesTime,
        String metricsHost) {
    public static final int DEFAULT_MAX_STALE_ROUTES_TIME = 120;

    public RoutingConfig {
        policies = Map.copyOf(policies);
        neighbors = Map.copyOf(neighbors);
        if (control == null) {
            control = ControlConfig.at(null);
        }
        metricsHost = metricsHost == null ? "0.0.0.0" : metricsHost;
        if (maxStaleRoutesTime < 1 || maxStaleRoutesTime > 4095) {
            throw new IllegalArgumentException("maxStaleRoutesTime: " + maxStaleRoutesTime + " (expected: 1..4095)");
        }
    }

    /** The control socket's path, or null for none. */
    public Path controlSocket() {
        return control.path();
    }

    public boolean routeReflector() {
        return clusterId != 0;
    }

    public NeighborRouting neighbor(InetAddress a) {
        NeighborRouting n = neighbors.get(a);
        return n != null ? n : NeighborRouting.defaults(a);
    }

    public List<Policy> chain(List<String> names) {
        return names.stream().map(policies::get).toList();
    }

    public RoutingConfig withControlSocket(Path p) {
        return new RoutingConfig(
                policies,
                neighbors,
                clusterId,
                multipath,
                alwaysCompareMed,
                kernel,
                control.withPath(p),
                metricsPort,
                maxStaleRoutesTime,
                metricsHost);
    }
}
