package org.calicojava.bgp.kernel;

import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.metrics.Metrics;
import org.calicojava.bgp.rib.KernelConfig;
import org.calicojava.bgp.rib.Rib;
import org.calicojava.netlink.*;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.util.*;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;

/**
 * The speaker's kernel routes through netlink: best routes are installed with our protocol number (added when new,
 * replaced on change, deleted on withdraw; a route of another protocol for the same prefix is left alone), next hops
 * not directly reachable are resolved through the kernel's route to them and installed onlink; blackhole routes for the
 * originated blocks; routes of the learned protocols (felix's workload routes) are reported to the RIB, event-driven.
 * Leftover routes of our protocol from a previous run stay until {@link #sweepLeftovers()} (no flush at start).
 */
public final class KernelSync implements Rib.KernelPort, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KernelSync.class);

    private final KernelConfig cfg;
    private final Metrics metrics;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kernel");
        t.setDaemon(true);
        return t;
    });
    private Netlink nl;
    private NetlinkEvents events;
    private final Map<Prefix, Route> installed = new HashMap<>();
    private final Map<Prefix, Route> leftovers = new HashMap<>();
    private final Set<Prefix> learned = new HashSet<>();
    private final Set<Prefix> blackholes = new HashSet<>();
    private BiConsumer<Prefix, Boolean> learner;

    public KernelSync(KernelConfig cfg, Metrics metrics) {
        this.cfg = cfg;
        this.metrics = metrics;
    }

    /** Opens netlink in the calling thread's namespace, records leftovers, subscribes to route events, reports learned routes. */
    public void start(BiConsumer<Prefix, Boolean> learner) {
        this.learner = learner;
        nl = Netlink.open();
        for (Route r : nl.routes(RouteFilter.all().withTable(cfg.table()).withProtocol(cfg.protocol()))) leftovers.put(prefix(r.dst()), r);
        log.info("kernel: table {} protocol {}: {} routes from a previous run kept until reconciled", cfg.table(), cfg.protocol(), leftovers.size());
        events = NetlinkEvents.subscribe(EnumSet.of(EventGroup.IPV4_ROUTE, EventGroup.IPV6_ROUTE), new NetlinkListener() {
            @Override public void onEvent(NetlinkEvent e) {
                if (e instanceof NetlinkEvent.RouteEvent re && wanted(re.route())) {
                    boolean add = re.change() == NetlinkEvent.Change.ADDED;
                    thread.execute(() -> learn(prefix(re.route().dst()), add));
                }
            }

            @Override public void onOverrun() { thread.execute(KernelSync.this::resync); }
        });
        thread.execute(this::resync);
    }

    private boolean wanted(Route r) {
        return r.table() == cfg.table() && r.type() == RouteType.UNICAST && cfg.learnProtocols().contains(r.protocol());
    }

    private void learn(Prefix p, boolean present) {
        if (present ? learned.add(p) : learned.remove(p)) learner.accept(p, present);
    }

    private void resync() {
        Set<Prefix> now = new HashSet<>();
        for (Route r : nl.routes(RouteFilter.all().withTable(cfg.table()))) if (wanted(r)) now.add(prefix(r.dst()));
        for (Prefix p : List.copyOf(learned)) if (!now.contains(p)) learn(p, false);
        for (Prefix p : now) learn(p, true);
    }

    @Override public void set(Prefix p, List<InetAddress> hops) {
        thread.execute(() -> {
            long t0 = System.nanoTime();
            try {
                if (hops.isEmpty()) remove(p);
                else install(p, hops);
            } catch (NetlinkException e) {
                log.warn("kernel: route {}: {}", p, e.getMessage());
            } finally {
                metrics.kernelOp(hops.isEmpty() ? "delete" : "replace", System.nanoTime() - t0);
            }
        });
    }

    private void install(Prefix p, List<InetAddress> hops) {
        Route.Builder b = Route.builder(p.toString()).table(cfg.table()).protocol(cfg.protocol());
        for (InetAddress h : hops) b.nextHop(resolve(h));
        Route r = b.build();
        if (r.equals(installed.get(p))) return;
        boolean ours = installed.containsKey(p) || leftovers.remove(p) != null;
        if (ours) nl.replaceRoute(r);
        else {
            try {
                nl.addRoute(r);
            } catch (AlreadyExistsException e) {
                log.warn("kernel: route {} exists with another owner: left alone", p);
                return;
            }
        }
        installed.put(p, r);
    }

    /** A directly connected next hop stays as is; otherwise the gateway of the kernel's route to it, onlink. */
    private NextHop resolve(InetAddress h) {
        Route best = null;
        for (Route r : nl.routes(RouteFilter.all().withTable(cfg.table()))) {
            if (r.type() != RouteType.UNICAST || r.nextHops().isEmpty() || !contains(r.dst(), h)) continue;
            if (best == null || r.dst().length() > best.dst().length()) best = r;
        }
        if (best == null) return NextHop.via(h, 0);  // the kernel will say why not
        NextHop via = best.nextHops().get(0);
        if (via.gateway() == null) return NextHop.via(h, via.ifindex());  // directly connected
        return new NextHop(via.gateway(), via.ifindex(), 1, true);  // recursive: through the route to the next hop
    }

    private static boolean contains(IpPrefix net, InetAddress a) {
        byte[] n = net.address().getAddress(), b = a.getAddress();
        if (n.length != b.length) return false;
        int bits = net.length();
        for (int i = 0; i < n.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((n[i] & mask) != (b[i] & mask)) return false;
        }
        return true;
    }

    private void remove(Prefix p) {
        Route r = installed.remove(p);
        if (r == null) r = leftovers.remove(p);
        if (r == null) return;
        try {
            nl.deleteRoute(r);
        } catch (NotFoundException e) {
            // already gone
        }
    }

    /** Installs blackhole routes for {@code blocks} and removes ours for blocks no longer listed. */
    public void blackholes(Set<Prefix> blocks) {
        thread.execute(() -> {
            for (Prefix p : List.copyOf(blackholes)) if (!blocks.contains(p)) {
                blackholes.remove(p);
                remove(p);
            }
            for (Prefix p : blocks) {
                Route r = Route.builder(p.toString()).type(RouteType.BLACKHOLE).table(cfg.table()).protocol(cfg.protocol()).build();
                try {
                    if (installed.containsKey(p) || leftovers.remove(p) != null) nl.replaceRoute(r);
                    else nl.addRoute(r);
                    installed.put(p, r);
                    blackholes.add(p);
                } catch (AlreadyExistsException e) {
                    log.warn("kernel: blackhole {}: a route of another owner exists: left alone", p);
                } catch (NetlinkException e) {
                    log.warn("kernel: blackhole {}: {}", p, e.getMessage());
                }
            }
        });
    }

    /** Deletes routes of our protocol left from a previous run that the RIB did not install again. */
    public void sweepLeftovers() {
        thread.execute(() -> {
            int n = leftovers.size();
            for (Route r : leftovers.values()) {
                try {
                    nl.deleteRoute(r);
                } catch (NetlinkException e) {
                    log.debug("kernel: leftover {}: {}", r.dst(), e.getMessage());
                }
            }
            leftovers.clear();
            if (n > 0) log.info("kernel: removed {} routes of a previous run that are no longer wanted", n);
        });
    }

    /** Our routes now (for status and tests), read on the kernel thread. */
    public Map<Prefix, Route> installed() {
        try {
            return thread.submit(() -> Map.copyOf(installed)).get();
        } catch (Exception e) {
            return Map.of();
        }
    }

    static Prefix prefix(IpPrefix p) { return Prefix.parse(p.toString()); }

    /** Stops listening; our routes stay in the kernel (graceful restart: forwarding continues while we restart). */
    @Override public void close() {
        if (events != null) events.close();
        thread.shutdown();
        try {
            thread.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (nl != null) nl.close();
    }
}
