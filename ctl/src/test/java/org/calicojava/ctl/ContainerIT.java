package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.calicojava.model.Json;
import org.calicojava.model.WorkloadEndpoint;
import org.calicojava.netlink.NetNs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** javactl container ... against the real kernel (namespaces made here) and the real etcd. */
class ContainerIT {
    private final Cli cli = new Cli();
    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private final String hostNs = "cj-h-" + id;
    private final String ctr = "cj-c-" + id;

    @BeforeEach
    void namespaces() {
        NetNs.create(hostNs);
        NetNs.create(ctr);
        cli.ok("pool", "add", "10.77.0.0/24");
        cli.ok("profile", "add", "web");
        cli.ok("profile", "add", "db");
    }

    @AfterEach
    void cleanUp() {
        for (String ns : List.of(hostNs, ctr)) {
            if (NetNs.exists(ns)) {
                NetNs.delete(ns);
            }
        }
        cli.close();
    }

    static String sh(String cmd) throws IOException, InterruptedException {
        Process p =
                new ProcessBuilder("bash", "-c", cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(20, TimeUnit.SECONDS);
        return out;
    }

    private String[] args(String... a) {
        String[] out = new String[a.length + 4];
        System.arraycopy(a, 0, out, 0, a.length);
        out[a.length] = "--hostname";
        out[a.length + 1] = "h1";
        out[a.length + 2] = "--host-netns";
        out[a.length + 3] = hostNs;
        return out;
    }

    private WorkloadEndpoint endpoint() {
        var kvs = cli.etcd
                .list(cli.keys.workloads("h1") + "javactl/" + ctr + "/endpoint/")
                .kvs();
        return kvs.isEmpty() ? null : Json.read(kvs.get(0).value(), WorkloadEndpoint.class);
    }

    @Test
    void workloadMtuFollowsTheUplinkThePoolsAndVethMtu() throws Exception {
        sh("ip -n " + hostNs + " link add up0 mtu 9000 type veth peer name up1 mtu 9000 && ip -n " + hostNs
                + " addr add 192.0.2.10/24 dev up0 && ip -n " + hostNs + " link set up0 up && ip -n " + hostNs
                + " link set up1 up && ip -n " + hostNs + " route add default via 192.0.2.1");
        cli.ok(args("container", "add", ctr, "10.77.0.5"));
        assertThat(sh("ip -n " + ctr + " link show eth0")).contains("mtu 9000 ");
        assertThat(sh("ip -n " + hostNs + " link show " + endpoint().name())).contains("mtu 9000 ");
        cli.ok(args("container", "remove", ctr));

        cli.ok("pool", "add", "10.78.0.0/24", "--ipip");
        cli.ok("pool", "add", "fd00:78::/64", "--vxlan");
        cli.ok(args("container", "add", ctr, "10.77.0.5"));
        assertThat(sh("ip -n " + ctr + " link show eth0")).contains("mtu 8930 "); // 9000 - 70 (VXLAN over IPv6)
        cli.ok(args("container", "remove", ctr));

        cli.ok("config", "felix", "VethMTU", "1300");
        cli.ok(args("container", "add", ctr, "10.77.0.5"));
        assertThat(sh("ip -n " + ctr + " link show eth0")).contains("mtu 1300 ");
        assertThat(sh("ip -n " + hostNs + " link show " + endpoint().name())).contains("mtu 1300 ");
        cli.ok(args("container", "remove", ctr));
    }

    @Test
    void addChangeAndRemoveAWorkload() throws Exception {
        String out = cli.ok(args("container", "add", ctr, "10.77.0.5", "--profile", "web"));
        assertThat(out).startsWith("IP 10.77.0.5 added to " + ctr);
        WorkloadEndpoint ep = endpoint();
        assertThat(ep.name()).matches("cali[0-9a-f]{11}");
        assertThat(ep.ipv4Nets()).hasToString("[10.77.0.5/32]");
        assertThat(ep.profileIds()).containsExactly("web");
        assertThat(sh("ip -n " + hostNs + " link show " + ep.name()))
                .contains("ee:ee:ee:ee:ee:ee")
                .contains("state UP");
        assertThat(sh("ip -n " + ctr + " -4 addr show eth0")).contains("inet 10.77.0.5/32");
        assertThat(sh("ip -n " + ctr + " route"))
                .contains("default via 169.254.1.1 dev eth0")
                .contains("169.254.1.1 dev eth0");
        assertThat(cli.ok("ipam", "info", "10.77.0.5")).contains("javactl." + ctr);
        assertThat(cli.ok(args("container", ctr, "endpoint-id", "show")).trim()).hasSize(32);

        assertThat(cli.ok(args("container", ctr, "ip", "add", "ipv4"))).contains("added to " + ctr);
        assertThat(endpoint().ipv4Nets()).hasSize(2);
        assertThat(sh("ip -n " + ctr + " -4 addr show eth0"))
                .contains("inet 10.77.0.5/32")
                .contains("inet 10.77.0.0/32");
        cli.ok(args("container", ctr, "ip", "remove", "10.77.0.0"));
        assertThat(endpoint().ipv4Nets()).hasToString("[10.77.0.5/32]");
        assertThat(sh("ip -n " + ctr + " -4 addr show eth0")).doesNotContain("10.77.0.0/32");
        assertThat(cli.ok("ipam", "info", "10.77.0.0")).contains("| no ");

        cli.ok(args("container", ctr, "profile", "append", "db"));
        assertThat(endpoint().profileIds()).containsExactly("web", "db");
        cli.ok(args("container", ctr, "profile", "remove", "web"));
        assertThat(endpoint().profileIds()).containsExactly("db");
        cli.ok(args("container", ctr, "profile", "set", "web", "db"));
        assertThat(endpoint().profileIds()).containsExactly("web", "db");

        assertThat(cli.ok(args("container", "remove", ctr))).contains("released 10.77.0.5");
        assertThat(endpoint()).isNull();
        assertThat(sh("ip -n " + hostNs + " -o link")).doesNotContain("cali");
        assertThat(sh("ip -n " + ctr + " -o link")).doesNotContain("eth0");
        assertThat(cli.ok("ipam", "info", "10.77.0.5")).contains("| no ");
    }

    @Test
    void failuresLeaveNothingBehind() throws Exception {
        List<String> before = cli.snapshot();
        Cli.Result r = cli.run(args("container", "add", "cj-nosuch-" + id, "10.77.0.9"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err())
                .isEqualTo("Error: container cj-nosuch-" + id + ": no network namespace at /var/run/netns/cj-nosuch-"
                        + id + "\n");
        r = cli.run(args("container", "add", ctr, "10.99.0.1"));
        assertThat(r.err()).isEqualTo("Error: 10.99.0.1 is not in any IP pool\n");
        r = cli.run(args("container", "add", ctr, "10.77.0.9", "--profile", "bad/name"));
        assertThat(r.err()).startsWith("Error: profile name: \"bad/name\"");
        assertThat(cli.snapshot()).isEqualTo(before);
        // a kernel failure after the address was assigned: the address is released again
        sh("ip -n " + ctr + " link add eth0 type veth peer name x0");
        r = cli.run(args("container", "add", ctr, "10.77.0.9"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(cli.ok("ipam", "info", "10.77.0.9")).contains("| no ");
        assertThat(endpoint()).isNull();
        assertThat(sh("ip -n " + hostNs + " -o link")).doesNotContain("cali");
    }
}
