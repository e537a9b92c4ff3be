package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.config.SpeakerConfig;
import org.calicojava.bgp.kernel.KernelSync;
import org.calicojava.bgp.metrics.Metrics;
import org.calicojava.bgp.session.Await;
import org.calicojava.bgp.session.Speaker;
import org.calicojava.bgp.yaml.SpeakerYamlLoader;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.Route;
import org.calicojava.netlink.RouteFilter;
import org.calicojava.netlink.RouteType;
import org.calicojava.testing.Ports;
import org.junit.jupiter.api.Test;

/**
 * Node A's RIB with kernel sync inside a namespace this test creates (its sessions run over 127.x in the test's own
 * process): the namespace's protocol-186 routes equal A's best BGP routes after every step; recursive next hops;
 * felix's protocol-80 routes originated event-driven; blackholes for originated blocks; leftovers reconciled.
 */
class KernelIT {
    static final Duration T = Duration.ofSeconds(40);
    final int port = Ports.free();
    final String net = "127.5." + (1 + ThreadLocalRandom.current().nextInt(250)) + ".";
    final String ns = "cj-" + UUID.randomUUID().toString().substring(0, 6);

    static void sh(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new AssertionError(String.join(" ", cmd) + ": " + out);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    String bYaml(String nextHop, String originate) {
        return Node.yaml(
                net + 2,
                65000,
                port,
                List.of("{address: " + net + 1 + ", asNumber: 65000, passive: true}"),
                "nextHop: {ipv4: " + nextHop + "}\noriginate: " + originate);
    }

    /** Our unicast routes in the namespace: prefix -> gateway. */
    Map<Prefix, InetAddress> kernel(Netlink nl) {
        Map<Prefix, InetAddress> m = new HashMap<>();
        for (Route r : nl.routes(RouteFilter.main().withProtocol(186))) {
            if (r.type() == RouteType.UNICAST) {
                m.put(Prefix.parse(r.dst().toString()), r.nextHops().get(0).gateway());
            }
        }
        return m;
    }

    @Test
    void kernelTableFollowsTheLocRib() throws Exception {
        NetNs.create(ns);
        Node b = null;
        Speaker speaker = null;
        Rib rib = null;
        KernelSync ks = null;
        try (Netlink nl = NetNs.open(ns)) {
            sh("ip", "-n", ns, "link", "add", "cjk0", "type", "veth", "peer", "name", "cjk1");
            sh("ip", "-n", ns, "addr", "add", "10.99.0.1/24", "dev", "cjk0");
            sh("ip", "-n", ns, "link", "set", "cjk0", "up");
            sh("ip", "-n", ns, "link", "set", "cjk1", "up");
            sh("ip", "-n", ns, "route", "add", "10.77.0.0/16", "via", "10.99.0.5", "proto", "static");
            sh(
                    "ip",
                    "-n",
                    ns,
                    "route",
                    "add",
                    "10.70.0.0/24",
                    "via",
                    "10.99.0.9",
                    "proto",
                    "186"); // leftover of a previous run
            String aYaml = Node.yaml(
                    net + 1,
                    65000,
                    port,
                    List.of("{address: " + net + 2 + ", asNumber: 65000}"),
                    "kernel: {enabled: true}\noriginate: [10.60.0.0/26]");
            SpeakerConfig sc = SpeakerYamlLoader.parse(aYaml).speaker();
            RoutingConfig rc = SpeakerYamlLoader.parse(aYaml).routing();
            rib = new Rib(sc, rc, new Metrics());
            speaker = new Speaker(sc, rib);
            KernelSync k = ks = new KernelSync(rc.kernel(), new Metrics());
            Rib r = rib;
            NetNs.run(ns, () -> {
                k.start(r::kernelRoute);
                return null;
            });
            ks.blackholes(java.util.Set.of(Prefix.parse("10.60.0.0/26")));
            rib.onConverged(ks::sweepLeftovers);
            rib.attach(speaker, ks);
            speaker.start();
            b = new Node(net + 2, port, bYaml("10.99.0.2", "[10.50.0.0/24, 10.51.0.0/24]"));

            Await.until(
                    "learned routes in the kernel",
                    T,
                    () -> kernel(nl)
                            .keySet()
                            .containsAll(List.of(Prefix.parse("10.50.0.0/24"), Prefix.parse("10.51.0.0/24"))),
                    () -> kernel(nl).toString());
            Await.until(
                    "leftover reconciled, kernel == Loc-RIB",
                    T,
                    () -> kernel(nl).equals(r.bgpBest()),
                    () -> kernel(nl) + " vs " + r.bgpBest());
            assertThat(kernel(nl).get(Prefix.parse("10.50.0.0/24"))).isEqualTo(Ip.parse("10.99.0.2"));
            assertThat(nl.routes(RouteFilter.main().withProtocol(186).withType(RouteType.BLACKHOLE)))
                    .extracting(x -> x.dst().toString())
                    .containsExactly("10.60.0.0/26");
            assertThat(nl.routes(RouteFilter.main().withProtocol(4)))
                    .extracting(x -> x.dst().toString())
                    .containsExactly("10.77.0.0/16"); // others' untouched

            // change: a next hop reached only through 10.77.0.0/16 -> installed via that route's gateway, onlink
            b.reload(bYaml("10.77.0.9", "[10.50.0.0/24, 10.51.0.0/24]"));
            Await.until(
                    "recursive next hop",
                    T,
                    () -> Ip.parse("10.99.0.5").equals(kernel(nl).get(Prefix.parse("10.50.0.0/24"))),
                    () -> kernel(nl).toString());
            // withdraw
            b.reload(bYaml("10.99.0.2", "[10.50.0.0/24]"));
            Await.until(
                    "withdrawn from the kernel, kernel == Loc-RIB",
                    T,
                    () -> kernel(nl).keySet().equals(java.util.Set.of(Prefix.parse("10.50.0.0/24")))
                            && kernel(nl).equals(r.bgpBest()),
                    () -> kernel(nl) + " vs " + r.bgpBest());

            // felix's workload route (protocol 80) is originated on the event, and withdrawn when it goes
            sh("ip", "-n", ns, "route", "add", "10.66.0.7/32", "dev", "cjk0", "proto", "80", "scope", "link");
            Node bb = b;
            Await.until("B learns the workload route", T, () -> bb.best("10.66.0.7/32") != null);
            assertThat(Ip.v4String(b.best("10.66.0.7/32").attrs.nextHop())).isEqualTo(net + 1);
            sh("ip", "-n", ns, "route", "del", "10.66.0.7/32", "dev", "cjk0", "proto", "80");
            Await.until("B drops the workload route", T, () -> bb.best("10.66.0.7/32") == null);
            assertThat(kernel(nl)).isEqualTo(rib.bgpBest());
        } finally {
            if (b != null) {
                b.close();
            }
            if (speaker != null) {
                speaker.close();
            }
            if (ks != null) {
                ks.close();
            }
            if (rib != null) {
                rib.close();
            }
            NetNs.delete(ns);
        }
    }
}
