package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.session.Await;
import org.calicojava.testing.Ports;
import org.junit.jupiter.api.Test;

/**
 * {@code kernel: {import: [...], export: [...]}} with node A's kernel sync in a namespace this test creates and an iBGP
 * peer B on 127.0.61.x: felix-style protocol-80 routes that the import policy rejects are not advertised while accepted
 * ones are; a learned prefix the export policy rejects stays out of the kernel table but stays best in the Loc-RIB, and
 * a reload of the export policy installs it.
 */
class KernelPolicyIT {
    static final Duration T = Duration.ofSeconds(40);
    final int port = Ports.free();
    final String net = "127.0.61.";

    String aYaml(String export) {
        return aYaml("workloads", export);
    }

    String aYaml(String imp, String export) {
        return Node.yaml(net + 1, 65000, port, List.of("{address: " + net + 2 + ", asNumber: 65000}"), """
                kernel: {enabled: true, learnProtocols: [80], import: [%s], export: [%s]}
                policies:
                  workloads: [{match: {prefixes: ["10.66.0.0/16 le 32"], source: kernel}, action: accept}]
                  noFiftyOne: [{match: {prefixes: [10.51.0.0/24]}, action: reject}, {action: accept}]
                  all: [{action: accept}]
                """.formatted(
                        imp, export));
    }

    @Test
    void kernelImportAndExportPolicies() {
        Node b = null;
        try (NsKernelNode a = new NsKernelNode(aYaml("noFiftyOne"))) {
            b = new Node(
                    net + 2,
                    port,
                    Node.yaml(
                            net + 2,
                            65000,
                            port,
                            List.of("{address: " + net + 1 + ", asNumber: 65000, passive: true}"),
                            "nextHop: {ipv4: 10.99.0.2}\noriginate: [10.50.0.0/24, 10.51.0.0/24]"));

            // export: 10.51.0.0/24 is best in the Loc-RIB but not in the kernel
            Await.until(
                    "A has both of B's routes",
                    T,
                    () -> a.rib.best(Prefix.parse("10.50.0.0/24")) != null
                            && a.rib.best(Prefix.parse("10.51.0.0/24")) != null);
            Await.until(
                    "10.50.0.0/24 in the kernel",
                    T,
                    () -> a.ourPrefixes().contains("10.50.0.0/24"),
                    () -> a.ip("route"));
            assertThat(a.ourPrefixes()).containsExactly("10.50.0.0/24");
            assertThat(a.showRoute("10.51.0.0/24")).contains("* from " + net + 2 + " (ibgp)");
            assertThat(a.rib.bgpBest()).containsKey(Prefix.parse("10.51.0.0/24"));

            // import: the rejected workload route goes first, so once the accepted one arrives at B the other was
            // decided too
            a.ip("route", "add", "10.67.0.7/32", "dev", "btk0", "proto", "80", "scope", "link");
            a.ip("route", "add", "10.66.0.7/32", "dev", "btk0", "proto", "80", "scope", "link");
            Node bb = b;
            Await.until("B learns the accepted workload route", T, () -> bb.best("10.66.0.7/32") != null);
            assertThat(b.best("10.67.0.7/32")).as("rejected by kernel.import").isNull();
            assertThat(b.paths("10.67.0.7/32")).isEmpty();
            assertThat(a.showRoute("10.67.0.7/32")).contains("filtered");
            assertThat(a.showRoute("10.66.0.7/32")).contains("* kernel");
            assertThat(a.ip("route", "show", "proto", "80"))
                    .contains("10.66.0.7")
                    .contains("10.67.0.7"); // felix's routes untouched

            // reload with an export policy accepting everything: 10.51.0.0/24 goes into the kernel
            a.reload(aYaml("all"));
            Await.until(
                    "10.51.0.0/24 in the kernel after the reload",
                    T,
                    () -> a.ourPrefixes().contains("10.51.0.0/24"),
                    () -> a.ip("route"));
            assertThat(a.gateways("10.51.0.0/24")).containsExactly("10.99.0.2");
            assertThat(b.best("10.67.0.7/32")).isNull();
            assertThat(b.best("10.66.0.7/32")).isNotNull();

            // reload with an import policy accepting all kernel routes: the kept kernel route is re-evaluated and
            // advertised
            a.reload(aYaml("all", "all"));
            Await.until("B learns the formerly rejected workload route", T, () -> bb.best("10.67.0.7/32") != null);
            a.ip("route", "del", "10.67.0.7/32", "dev", "btk0", "proto", "80");
            Await.until("and drops it when felix deletes it", T, () -> bb.best("10.67.0.7/32") == null);
        } finally {
            if (b != null) {
                b.close();
            }
        }
    }
}
