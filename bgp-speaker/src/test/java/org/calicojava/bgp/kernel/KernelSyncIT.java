package org.calicojava.bgp.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.metrics.Metrics;
import org.calicojava.bgp.rib.KernelConfig;
import org.calicojava.bgp.session.Await;
import org.calicojava.netlink.NetNs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link KernelSync} alone in a namespace this test creates ({@code cj-XXXXXX}, two veth pairs: {@code k0} with
 * 10.99.0.1/24, {@code k2} with 10.98.0.1/24), fed best routes the way the RIB does ({@link KernelSync#set}); the
 * outcome is read with {@code ip -N -n NS route show}.
 */
class KernelSyncIT {
    static final Duration T = Duration.ofSeconds(20);
    final String ns = "cj-" + UUID.randomUUID().toString().substring(0, 6);
    KernelSync ks;

    @BeforeEach
    void namespace() throws Exception {
        NetNs.create(ns);
        ip("link", "add", "k0", "type", "veth", "peer", "name", "k1");
        ip("link", "add", "k2", "type", "veth", "peer", "name", "k3");
        ip("addr", "add", "10.99.0.1/24", "dev", "k0");
        ip("addr", "add", "10.98.0.1/24", "dev", "k2");
        for (String l : List.of("k0", "k1", "k2", "k3")) {
            ip("link", "set", l, "up");
        }
    }

    @AfterEach
    void cleanUp() {
        try {
            if (ks != null) {
                ks.close();
            }
        } finally {
            NetNs.delete(ns);
        }
    }

    void start() {
        KernelSync k = ks = new KernelSync(KernelConfig.DEFAULT, new Metrics());
        NetNs.run(ns, () -> {
            k.start((p, present) -> {});
            return null;
        });
    }

    static List<InetAddress> hops(String... a) {
        List<InetAddress> l = new ArrayList<>();
        for (String s : a) {
            l.add(Ip.parse(s));
        }
        return l;
    }

    /** Our (protocol 186) route for {@code prefix} as {@code ip -N route show} prints it, or "". */
    String ours(String prefix) {
        return ip("route", "show", "table", "main", "proto", "186", "exact", prefix)
                .trim();
    }

    String all(String prefix) {
        return ip("route", "show", "table", "main", "exact", prefix).trim();
    }

    @Test
    void aRouteFollowsTheStaticAndTheConnectedRouteItsNextHopResolvesThrough() throws Exception {
        ip("route", "add", "10.77.0.0/16", "via", "10.99.0.5", "proto", "static");
        ip("addr", "add", "10.97.0.1/24", "dev", "k0");
        start();
        ks.set(Prefix.parse("10.50.0.0/24"), hops("10.77.0.9")); // recursive: through the static route
        ks.set(Prefix.parse("10.51.0.0/24"), hops("10.97.0.9")); // directly connected (10.97.0.0/24 on k0)
        ks.sync();
        assertThat(ours("10.50.0.0/24")).contains("via 10.99.0.5 dev k0").contains("onlink");
        assertThat(ours("10.51.0.0/24")).contains("via 10.97.0.9 dev k0");

        // the static route moves to the other interface: the route through it follows, from the route event
        ip("route", "replace", "10.77.0.0/16", "via", "10.98.0.5", "proto", "static");
        Await.until(
                "10.50.0.0/24 follows the static route",
                T,
                () -> ours("10.50.0.0/24").contains("via 10.98.0.5 dev k2"),
                () -> ours("10.50.0.0/24"));

        // the connected subnet moves to k2: while it is gone our route is withdrawn, then installed on k2
        ip("addr", "del", "10.97.0.1/24", "dev", "k0");
        Await.until(
                "no stale route while the next hop does not resolve",
                T,
                () -> ours("10.51.0.0/24").isEmpty(),
                () -> ours("10.51.0.0/24"));
        ip("addr", "add", "10.97.0.1/24", "dev", "k2");
        Await.until(
                "10.51.0.0/24 follows the connected route",
                T,
                () -> ours("10.51.0.0/24").contains("via 10.97.0.9 dev k2"),
                () -> ours("10.51.0.0/24"));

        // a more specific route to the next hop wins (longest prefix match)
        ip("route", "add", "10.77.0.0/24", "via", "10.99.0.6", "proto", "static");
        Await.until(
                "10.50.0.0/24 through the more specific route",
                T,
                () -> ours("10.50.0.0/24").contains("via 10.99.0.6 dev k0"),
                () -> ours("10.50.0.0/24"));
        ip("route", "del", "10.77.0.0/24", "proto", "static");
        Await.until(
                "back through the /16",
                T,
                () -> ours("10.50.0.0/24").contains("via 10.98.0.5 dev k2"),
                () -> ours("10.50.0.0/24"));

        // withdraw
        ks.set(Prefix.parse("10.50.0.0/24"), List.of());
        ks.sync();
        assertThat(ours("10.50.0.0/24")).isEmpty();
        assertThat(all("10.77.0.0/16")).contains("via 10.98.0.5 dev k2 proto 4"); // others' untouched
    }

    @Test
    void aWorkloadRouteOfProtocol80IsNeverReplacedByOurs() throws Exception {
        ip("route", "add", "10.65.0.7/32", "dev", "k0", "proto", "80", "scope", "link");
        start();
        ks.set(Prefix.parse("10.65.0.7/32"), hops("10.99.0.2"));
        ks.set(Prefix.parse("10.65.0.8/32"), hops("10.99.0.2"));
        assertThat(ks.sync()).isEqualTo(1);
        assertThat(all("10.65.0.7/32")).isEqualTo("10.65.0.7 dev k0 proto 80 scope 253");
        assertThat(ours("10.65.0.8/32")).contains("via 10.99.0.2 dev k0");

        // felix takes over a prefix we had: ours steps aside, a later change of ours does not replace felix's
        ip("route", "replace", "10.65.0.8/32", "dev", "k0", "proto", "80", "scope", "link");
        Await.until(
                "ours gives way",
                T,
                () -> ks.installed().keySet().equals(java.util.Set.of()),
                () -> ks.installed().toString());
        ks.set(Prefix.parse("10.65.0.8/32"), hops("10.99.0.3"));
        ks.set(Prefix.parse("10.65.0.7/32"), hops("10.99.0.3"));
        assertThat(ks.sync()).isZero();
        assertThat(all("10.65.0.8/32")).isEqualTo("10.65.0.8 dev k0 proto 80 scope 253");
        assertThat(all("10.65.0.7/32")).isEqualTo("10.65.0.7 dev k0 proto 80 scope 253");

        // felix's route goes: ours is installed
        ip("route", "del", "10.65.0.7/32", "dev", "k0", "proto", "80");
        Await.until(
                "ours installed once felix's is gone",
                T,
                () -> ours("10.65.0.7/32").contains("via 10.99.0.3 dev k0"),
                () -> all("10.65.0.7/32"));
        assertThat(all("10.65.0.8/32")).isEqualTo("10.65.0.8 dev k0 proto 80 scope 253");
    }

    @Test
    void aRouteDeletedBehindOurBackIsInstalledAgainAfterALinkGoesDown() throws Exception {
        start();
        ks.set(Prefix.parse("10.52.0.0/24"), hops("10.98.0.7"));
        ks.sync();
        assertThat(ours("10.52.0.0/24")).contains("via 10.98.0.7 dev k2");
        long before = ks.resyncs();
        ip("link", "set", "k2", "down"); // IPv4 flushes our route through k2 without an event
        Await.until("table read again", T, () -> ks.resyncs() > before);
        ip("link", "set", "k2", "up");
        // the connected route comes back with k2 (an event): the route through it is installed again
        Await.until(
                "installed again",
                T,
                () -> ours("10.52.0.0/24").contains("via 10.98.0.7 dev k2"),
                () -> all("10.52.0.0/24"));
    }

    String ip(String... args) {
        List<String> c = new ArrayList<>(List.of("ip", "-N", "-n", ns));
        c.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new AssertionError(String.join(" ", c) + ": " + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
