package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.calicojava.ipam.Ipam;
import org.calicojava.model.Cidr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code javactl ipam check} against a real etcd: IPAM as javactl, felix (tunnel addresses) and the endpoints left it
 * passes; each inconsistency made beside it is one row of its kind, exit 1, nothing written.
 */
class IpamCheckIT {
    private final Cli cli = new Cli();

    @AfterEach
    void close() {
        cli.close();
    }

    private String endpoint(String host, String workload, String ip) {
        String key = cli.keys.endpoint(host, "cni", workload, "eth0");
        cli.etcd.put(key, "{\"state\":\"active\",\"name\":\"cali" + workload + "\",\"ipv4_nets\":[\"" + ip + "/32\"]}");
        return key;
    }

    private String tunnel(String node) {
        Ipam ipam = new Ipam(cli.etcd, cli.keys);
        return ipam.autoAssign(new Ipam.AutoRequest(
                        node, "ipip-tunnel-addr-" + node, Map.of("type", "ipipTunnelAddress", "node", node), 4, null))
                .ip();
    }

    /** The address of workload w1 on h1, the one consistent() gives it. */
    private String w1;

    private void consistent() {
        cli.ok("pool", "add", "10.65.0.0/16");
        cli.ok("node", "add", "--name", "h1", "--ip", "192.0.2.1");
        cli.ok("node", "add", "--name", "h2", "--ip", "192.0.2.2");
        w1 = cli.ok("ipam", "assign", "--host", "h1", "--handle", "c1").strip();
        endpoint("h1", "w1", w1);
        cli.etcd.put(cli.keys.hostConfig("h1", "IpInIpTunnelAddr"), tunnel("h1"));
    }

    @Test
    void consistentIpamPasses() {
        consistent();
        Cli.Result r = cli.run("ipam", "check");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .matches(
                        "(?s)2 addresses allocated, 2 in use by endpoints and tunnels, at revision \\d+: no problem\\R");
    }

    @Test
    void eachInconsistencyIsOneRowAndNothingIsWritten() throws Exception {
        consistent();
        String leaked =
                cli.ok("ipam", "assign", "--host", "h1", "--handle", "c2").strip();
        String unallocated = "10.65.3.7";
        String stranger = endpoint("h2", "w2", unallocated);
        String lostTunnel = tunnel("h2"); // felix on h2 never recorded it
        // handle c1's record says 2, its block holds 1
        String c1 = cli.keys.ipamHandle("c1");
        cli.etcd.put(c1, cli.get(c1).replace(":1}", ":2}"));
        String gone =
                cli.ok("ipam", "assign", "--host", "gone", "--handle", "g1").strip();
        Cidr goneBlock = Cidr.of(Cidr.host(gone).address(), 26);
        // a tunnel address IPAM never allocated, and a second endpoint with w1's address
        cli.etcd.put(cli.keys.hostConfig("h2", "IPv4VXLANTunnelAddr"), "10.65.9.9");
        endpoint("h2", "w3", w1);
        var before = cli.snapshot();

        Cli.Result r = cli.run("ipam", "check");
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).contains(": 8 problems");
        JsonNode rows = new ObjectMapper()
                .readTree(cli.run("ipam", "check", "-o", "json").out());
        assertThat(rows).hasSize(8);
        assertRow(rows, "leaked", leaked, "handle c2: no endpoint has it");
        assertRow(rows, "not allocated", unallocated, "endpoint h2/cni/w2/eth0 has it");
        assertRow(rows, "leaked", lostTunnel, "node h2's IpInIpTunnelAddr does not name it");
        assertRow(rows, "handle", "c1", "the blocks hold {10.65.0.0/26=1}");
        assertRow(rows, "orphaned block", goneBlock.toString(), "affine to host gone");
        assertRow(rows, "leaked", gone, "handle g1");
        assertRow(rows, "not allocated", "10.65.9.9", "node h2's IPv4VXLANTunnelAddr has it");
        assertRow(rows, "duplicate", w1, "endpoint h1/cni/w1/eth0 and endpoint h2/cni/w3/eth0 all have it");
        assertThat(stranger).isNotNull();
        assertThat(cli.snapshot()).isEqualTo(before);
    }

    private static void assertRow(JsonNode rows, String kind, String subject, String detail) {
        assertThat(rows).as(kind + " " + subject).anySatisfy(row -> {
            assertThat(row.get("problem").asText()).isEqualTo(kind);
            assertThat(row.get("subject").asText()).isEqualTo(subject);
            assertThat(row.get("detail").asText()).contains(detail);
        });
    }
}
