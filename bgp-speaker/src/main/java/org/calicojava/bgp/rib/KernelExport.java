package org.calicojava.bgp.rib;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.policy.Policy;
import org.calicojava.bgp.policy.RouteSource;

/** Best routes toward the kernel: the prefixes changed since the last push, their next hops and the kernel export policy. */
final class KernelExport {
    private final Rib rib;
    private final Set<Prefix> dirty = new LinkedHashSet<>();
    private final Set<Prefix> installed = new HashSet<>();
    private Rib.KernelPort port;

    KernelExport(Rib rib) {
        this.rib = rib;
    }

    void attach(Rib.KernelPort port) {
        this.port = port;
    }

    /** Whether best routes go anywhere. */
    boolean enabled() {
        return port != null;
    }

    /** The route of {@code p} may have changed (pushed at the next {@link #sync}). */
    void mark(Prefix p) {
        if (port != null) {
            dirty.add(p);
        }
    }

    boolean pending() {
        return !dirty.isEmpty();
    }

    /** Pushes the routes of every changed prefix to the kernel port. */
    void sync() {
        Table loc = rib.loc;
        for (Prefix p : dirty) {
            int d = loc.find(p);
            Path b = d < 0 ? null : loc.best[d];
            List<InetAddress> hops = List.of();
            boolean localKernel = d >= 0 && loc.find(d, null, RouteSource.KERNEL, 0) != null;
            if (b != null && b.from != null && !localKernel && accepts(p, b)) {
                List<InetAddress> h = new ArrayList<>();
                for (Path x : loc.paths(d)) {
                    if (x.attrs == null || x.from == null) {
                        continue;
                    }
                    if (x != b && !(rib.rc.multipath() && rib.best.equalForMultipath(x, b))) {
                        continue;
                    }
                    InetAddress nh = nextHop(p, x);
                    if (nh != null && !h.contains(nh)) {
                        h.add(nh);
                    }
                }
                hops = h;
            }
            if (hops.isEmpty() && !installed.remove(p)) {
                continue;
            }
            if (!hops.isEmpty()) {
                installed.add(p);
            }
            port.set(p, hops);
        }
        dirty.clear();
    }

    private boolean accepts(Prefix p, Path b) {
        List<String> exp = rib.rc.kernel().exportPolicies();
        return exp.isEmpty() || Policy.evaluate(rib.rc.chain(exp), p, b.attrs, b.source, rib.sc.asNumber()) != null;
    }

    /** The next hop of {@code path} for the kernel, or null when it has none. */
    static InetAddress nextHop(Prefix p, Path path) {
        if (p.family() == Family.IPV4_UNICAST) {
            return path.attrs.hasNextHop() ? Ip.v4Address(path.attrs.nextHop()) : null;
        }
        if (path.nh6 == null) {
            return null;
        }
        return Ip.of(Arrays.copyOf(path.nh6, 16));
    }
}
