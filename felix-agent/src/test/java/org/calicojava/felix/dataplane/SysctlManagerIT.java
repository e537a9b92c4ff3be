package org.calicojava.felix.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.calicojava.netlink.Link;
import org.calicojava.netlink.Netlink;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Workload sysctls in a namespace of the test's own, as an agent that starts, is restarted, and restarts after
 * someone undid some settings would write them: every setting ends as Calico's convention wants it, and a restart
 * writes only what the kernel reports as different.
 */
class SysctlManagerIT {
    private static final String[] SETTINGS = {
        "ipv4/conf/%s/proxy_arp=1",
        "ipv4/conf/%s/route_localnet=1",
        "ipv4/conf/%s/forwarding=1",
        "ipv4/neigh/%s/proxy_delay=0",
        "ipv6/conf/%s/accept_ra=0",
        "ipv6/conf/%s/proxy_ndp=1",
        "ipv6/conf/%s/forwarding=1"
    };
    private static final List<String> IFACES = List.of("calism1", "calism2", "calism3");
    private String ns;
    private Namespace n;
    private Netlink nl;

    @BeforeEach
    void namespace() {
        Sh.require("ip");
        ns = "sm-" + UUID.randomUUID().toString().substring(0, 6);
        Sh.ok("ip", "netns", "add", ns);
        n = Namespace.named(ns);
        nl = n.openNetlink();
    }

    @AfterEach
    void removeNamespace() {
        if (nl != null) {
            nl.close();
        }
        Sh.run("ip", "netns", "del", ns);
    }

    @Test
    void aRestartWritesOnlyWhatWasUndone() {
        for (int i = 0; i < IFACES.size(); i++) {
            Sh.ok("ip", "-n", ns, "link", "add", IFACES.get(i), "type", "veth", "peer", "name", "psm" + i);
        }
        SysctlManager first = new SysctlManager(n);
        first.global(); // as the agent's start does before it reads the links: their forwarding is then on
        assertThat(first.apply(links(), null)).isEqualTo(3);
        IFACES.forEach(this::assertConfigured);
        assertThat(first.written())
                .as("fresh interfaces: proxy_arp, route_localnet, proxy_delay, accept_ra, proxy_ndp")
                .isEqualTo(15);

        SysctlManager again = new SysctlManager(n); // a restart on configured interfaces
        assertThat(again.apply(links(), null)).isEqualTo(3);
        assertThat(again.written()).as("the proxy delays only").isEqualTo(3);

        write("ipv4/conf/calism2/proxy_arp", "0"); // someone undoes three settings while the agent is down
        write("ipv6/conf/calism3/accept_ra", "1");
        write("ipv4/neigh/calism1/proxy_delay", "50");
        SysctlManager restarted = new SysctlManager(n);
        restarted.apply(links(), null);
        assertThat(restarted.written())
                .as("the proxy delays and the two undone")
                .isEqualTo(5);
        IFACES.forEach(this::assertConfigured);

        // a new interface later is configured on its own
        Sh.ok("ip", "-n", ns, "link", "add", "calism4", "type", "veth", "peer", "name", "psm4");
        assertThat(restarted.apply(links(), List.of("calism4"))).isEqualTo(1);
        assertConfigured("calism4");
        assertThat(restarted.written()).isGreaterThan(6);
        assertThat(conf("ipv4/conf/psm4/proxy_arp"))
                .as("the peer is not a workload interface")
                .isEqualTo("0");
    }

    private Map<String, Link> links() {
        return nl.links().stream()
                .filter(l -> l.name().startsWith("calism"))
                .collect(Collectors.toMap(Link::name, l -> l));
    }

    private void assertConfigured(String iface) {
        for (String s : SETTINGS) {
            String[] kv = String.format(s, iface).split("=");
            assertThat(conf(kv[0])).as(kv[0]).isEqualTo(kv[1]);
        }
    }

    private void write(String key, String value) {
        Sh.ok(Sh.in(ns, "sh", "-c", "echo " + value + " > /proc/sys/net/" + key));
    }

    private String conf(String key) {
        return Sh.ok(Sh.in(ns, "cat", "/proc/sys/net/" + key)).strip();
    }
}
