package org.calicojava.cni;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Chaining: the standard {@code bandwidth} plugin after calico-java-cni, given its {@code prevResult}, puts a 10 Mbit/s
 * token bucket on the host veth (seen in {@code tc}); a TCP transfer into that workload runs at that rate (within
 * 20 %). The /32 routes to the two workloads in the host namespace are added by the test, standing in for felix.
 */
class CniBandwidthIT {
    static final long RATE = 10_000_000;

    @Test
    void bandwidthPluginLimitsTheWorkload() throws Exception {
        try (CniHost host = new CniHost()) {
            host.pool("10.95.0.0/16", 0);
            String conf = host.conf("1.0.0", "");
            Path a = host.container("bwa");
            Path b = host.container("bwb");
            String idA = "bwa" + host.sfx;
            String idB = "bwb" + host.sfx;
            CniHost.Call addA = host.call("calico-java-cni", "ADD", idA, a, "eth0", conf);
            CniHost.Call addB = host.call("calico-java-cni", "ADD", idB, b, "eth0", conf);
            assertThat(addA.rc()).as(addA.toString()).isZero();
            assertThat(addB.rc()).as(addB.toString()).isZero();
            String bw = "{\"cniVersion\":\"1.0.0\",\"name\":\"" + CniHost.NETWORK + "\",\"type\":\"bandwidth\","
                    + "\"ingressRate\":" + RATE + ",\"ingressBurst\":200000,\"prevResult\":" + addA.out() + "}";
            CniHost.Call chained = host.call("bandwidth", "ADD", idA, a, "eth0", bw);
            assertThat(chained.rc()).as(chained.toString()).isZero();
            JsonNode result = chained.json();
            assertThat(result.get("ips"))
                    .as("prevResult passed on")
                    .isEqualTo(addA.json().get("ips"));

            String vethA = addA.json().get("interfaces").get(0).get("name").asText();
            String vethB = addB.json().get("interfaces").get(0).get("name").asText();
            String tc = host.inHost("tc", "qdisc", "show", "dev", vethA);
            assertThat(tc).as(tc).contains("tbf").contains("rate 10Mbit");

            String ipA = addr(addA);
            String ipB = addr(addB);
            host.routeWorkloads(ipA + "=" + vethA, ipB + "=" + vethB);
            Process server = new ProcessBuilder(
                            "ip", "netns", "exec", a.getFileName().toString(), "iperf3", "-s", "-B", ipA)
                    .redirectErrorStream(true)
                    .start();
            try {
                Thread.sleep(1000);
                assertThat(CniHost.iperf(b, ipA, false))
                        .as("received rate into the limited workload, bit/s")
                        .isBetween(RATE * 0.8, RATE * 1.2);
            } finally {
                server.destroy();
                server.waitFor(10, TimeUnit.SECONDS);
            }
            assertThat(host.call("bandwidth", "DEL", idA, a, "eth0", bw).rc()).isZero();
            assertThat(host.call("calico-java-cni", "DEL", idA, a, "eth0", conf).rc())
                    .isZero();
            assertThat(host.call("calico-java-cni", "DEL", idB, b, "eth0", conf).rc())
                    .isZero();
            assertThat(host.caliLinks()).isEmpty();
            assertThat(host.endpoints()).isEmpty();
        }
    }

    private static String addr(CniHost.Call add) {
        String a = add.json().get("ips").get(0).get("address").asText();
        return a.substring(0, a.indexOf('/'));
    }
}
