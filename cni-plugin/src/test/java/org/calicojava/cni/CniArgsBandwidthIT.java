package org.calicojava.cni;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.calicojava.model.Json;
import org.calicojava.model.WorkloadEndpoint;
import org.calicojava.model.WorkloadQos;
import org.junit.jupiter.api.Test;

/**
 * Bandwidth limits in CNI_ARGS ({@code ingress_bandwidth}, {@code egress_bandwidth}): calico-java-cni alone (no
 * chained plugin) puts a 10 Mbit/s token bucket on the host veth and redirects the veth's ingress to an ifb device
 * shaped the same way; TCP into and out of the workload runs at that rate (within 20 %); the limits are on the
 * endpoint record; bad values are error code 7 with nothing made; DEL (also one without CNI_ARGS, by the record)
 * leaves no qdisc and no ifb. The /32 routes in the host namespace are added by the test, standing in for felix.
 */
class CniArgsBandwidthIT {
    static final long RATE = 10_000_000;
    static final String LIMITS =
            "IgnoreUnknown=1;K8S_POD_NAME=web;ingress_bandwidth=" + RATE + ";egress_bandwidth=" + RATE;

    @Test
    void cniArgsLimitTheWorkloadBothWays() throws Exception {
        try (CniHost host = new CniHost()) {
            host.pool("10.96.0.0/16", 0);
            String conf = host.conf("1.0.0", "");
            Path a = host.container("qa");
            Path b = host.container("qb");
            String idA = "qa" + host.sfx;
            String idB = "qb" + host.sfx;
            Map<String, String> args = Map.of("CNI_ARGS", LIMITS);
            CniHost.Call addA = host.call("calico-java-cni", "ADD", idA, a, "eth0", conf, args);
            CniHost.Call addB = host.call("calico-java-cni", "ADD", idB, b, "eth0", conf);
            assertThat(addA.rc()).as(addA.toString()).isZero();
            assertThat(addB.rc()).as(addB.toString()).isZero();
            CniConformanceIT.assertResultShape(addA.json(), a);

            String vethA = addA.json().get("interfaces").get(0).get("name").asText();
            String vethB = addB.json().get("interfaces").get(0).get("name").asText();
            List<String> ifbs = ifbs(host);
            assertThat(ifbs).hasSize(1);
            String ifb = ifbs.get(0);
            assertThat(addA.json().get("interfaces"))
                    .as("the ifb is in the result")
                    .anyMatch(i -> i.get("name").asText().equals(ifb) && !i.has("sandbox"));
            String veth = host.inHost("tc", "qdisc", "show", "dev", vethA);
            assertThat(veth).as(veth).contains("tbf").contains("rate 10Mbit").contains("ingress");
            String filter = host.inHost("tc", "filter", "show", "dev", vethA, "parent", "ffff:");
            assertThat(filter).as(filter).contains("mirred").contains(ifb);
            String shaped = host.inHost("tc", "qdisc", "show", "dev", ifb);
            assertThat(shaped).as(shaped).contains("tbf").contains("rate 10Mbit");
            assertThat(host.inHost("tc", "qdisc", "show", "dev", vethB)).doesNotContain("tbf");

            WorkloadEndpoint wep = Json.read(
                    host.endpoints().stream()
                            .filter(kv -> kv.key().contains("/cni/" + idA + "/"))
                            .findFirst()
                            .orElseThrow()
                            .value(),
                    WorkloadEndpoint.class);
            assertThat(wep.qos()).isEqualTo(new WorkloadQos(RATE, null, RATE, null));
            CniHost.Call check = host.call("calico-java-cni", "CHECK", idA, a, "eth0", conf, args);
            assertThat(check.rc()).as(check.toString()).isZero();
            CniHost.Call otherLimits = host.call(
                    "calico-java-cni", "CHECK", idA, a, "eth0", conf, Map.of("CNI_ARGS", "ingress_bandwidth=5000000"));
            assertThat(otherLimits.rc()).as(otherLimits.toString()).isEqualTo(1);

            String ipA = addr(addA);
            String ipB = addr(addB);
            host.routeWorkloads(ipA + "=" + vethA, ipB + "=" + vethB);
            Process server = new ProcessBuilder(
                            "ip", "netns", "exec", a.getFileName().toString(), "iperf3", "-s", "-B", ipA)
                    .redirectErrorStream(true)
                    .start();
            try {
                Thread.sleep(1000);
                double in = CniHost.iperf(b, ipA, false);
                assertThat(in).as("into the workload, bit/s").isBetween(RATE * 0.8, RATE * 1.2);
                double out = CniHost.iperf(b, ipA, true);
                assertThat(out).as("out of the workload, bit/s").isBetween(RATE * 0.8, RATE * 1.2);
            } finally {
                server.destroy();
                server.waitFor(10, TimeUnit.SECONDS);
            }

            assertThat(host.call("calico-java-cni", "DEL", idA, a, "eth0", conf, args)
                            .rc())
                    .isZero();
            assertThat(ifbs(host)).isEmpty();
            assertThat(host.caliLinks()).containsExactly(vethB);
            assertThat(host.call("calico-java-cni", "DEL", idA, a, "eth0", conf, args)
                            .rc())
                    .as("a second DEL")
                    .isZero();

            // a DEL without CNI_ARGS (as GC makes) finds the ifb by the endpoint record
            Path c = host.container("qc");
            String idC = "qc" + host.sfx;
            CniHost.Call addC = host.call(
                    "calico-java-cni", "ADD", idC, c, "eth0", conf, Map.of("CNI_ARGS", "egress_bandwidth=2000000"));
            assertThat(addC.rc()).as(addC.toString()).isZero();
            assertThat(ifbs(host)).hasSize(1);
            assertThat(host.call("calico-java-cni", "DEL", idC, c, "eth0", conf).rc())
                    .isZero();
            assertThat(ifbs(host)).isEmpty();

            assertThat(host.call("calico-java-cni", "DEL", idB, b, "eth0", conf).rc())
                    .isZero();
            assertThat(host.caliLinks()).isEmpty();
            assertThat(host.endpoints()).isEmpty();
        }
    }

    @Test
    void badLimitsAreInvalidConfigAndMakeNothing() throws Exception {
        try (CniHost host = new CniHost()) {
            host.pool("10.97.0.0/16", 0);
            String conf = host.conf("1.0.0", "");
            Path ns = host.container("bad");
            String id = "qbad" + host.sfx;
            for (String bad : List.of(
                    "ingress_bandwidth=fast",
                    "ingress_bandwidth=-1",
                    "egress_bandwidth=10",
                    "egress_bandwidth=99999999999999999",
                    "ingress_bandwidth=10000000;ingress_burst=8",
                    "egress_burst=100000",
                    "ingress_bandwidth=1e7")) {
                CniHost.Call add = host.call("calico-java-cni", "ADD", id, ns, "eth0", conf, Map.of("CNI_ARGS", bad));
                assertThat(add.rc()).as(bad + ": " + add).isEqualTo(1);
                JsonNode err = add.json();
                assertThat(err.get("code").asInt()).as(add.toString()).isEqualTo(CniException.INVALID_CONFIG);
                assertThat(err.get("msg").asText())
                        .as(add.toString())
                        .startsWith("CNI_ARGS: ")
                        .doesNotContain("\n");
                assertNothing(host, id);
            }
        }
    }

    @Test
    void noBandwidthPluginOrAFailingOneLeavesNothing() throws Exception {
        try (CniHost host = new CniHost()) {
            host.pool("10.98.0.0/16", 0);
            String conf = host.conf("1.0.0", "");
            Path ns = host.container("np");
            String id = "qnp" + host.sfx;
            Path empty = Files.createDirectory(host.tmp.resolve("no-plugins"));
            CniHost.Call none = host.call(
                    "calico-java-cni",
                    "ADD",
                    id,
                    ns,
                    "eth0",
                    conf,
                    Map.of("CNI_ARGS", "ingress_bandwidth=" + RATE, "CNI_PATH", empty.toString()));
            assertThat(none.rc()).as(none.toString()).isEqualTo(1);
            assertThat(none.json().get("code").asInt()).isEqualTo(CniException.INVALID_CONFIG);
            assertThat(none.json().get("msg").asText()).contains("bandwidth not found in CNI_PATH");
            assertNothing(host, id);

            // a bandwidth plugin that fails after the veth is made: the ADD is undone (veth, addresses)
            Path failing = Files.createDirectory(host.tmp.resolve("failing"));
            Path fake = failing.resolve("bandwidth");
            Files.writeString(
                    fake,
                    "#!/bin/sh\ncat >/dev/null\n[ \"$CNI_COMMAND\" = ADD ] || exit 0\n"
                            + "echo '{\"cniVersion\":\"1.0.0\",\"code\":100,\"msg\":\"no qdisc today\"}'\nexit 1\n");
            Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
            CniHost.Call failed = host.call(
                    "calico-java-cni",
                    "ADD",
                    id,
                    ns,
                    "eth0",
                    conf,
                    Map.of("CNI_ARGS", "ingress_bandwidth=" + RATE, "CNI_PATH", failing.toString()));
            assertThat(failed.rc()).as(failed.toString()).isEqualTo(1);
            assertThat(failed.json().get("code").asInt()).isEqualTo(100);
            assertThat(failed.json().get("msg").asText()).contains("no qdisc today");
            assertNothing(host, id);
        }
    }

    private static void assertNothing(CniHost host, String id) {
        assertThat(host.caliLinks()).isEmpty();
        assertThat(ifbs(host)).isEmpty();
        assertThat(host.endpoints()).isEmpty();
        assertThat(host.store.get(host.keys.ipamHandle(CniConformanceIT.handle(id, "eth0"))))
                .isEmpty();
    }

    /** iperf3 from namespace {@code client} to {@code server} (reverse: the server sends); the received bit/s. */
    private static String addr(CniHost.Call add) {
        String a = add.json().get("ips").get(0).get("address").asText();
        return a.substring(0, a.indexOf('/'));
    }

    private static List<String> ifbs(CniHost host) {
        return host.hostLinks().stream()
                .map(l -> l.name())
                .filter(n -> n.startsWith("bwp"))
                .toList();
    }
}
