package org.calicojava.netlink.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.NetlinkException;
import org.calicojava.netlink.Sysctl;
import org.calicojava.netlink.WorkloadInterface;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.Test;

/** Named namespaces as {@code ip netns} sees them, code run inside them, and sysctls per namespace. */
class NetNsIT {
    static String nsId(Path p) throws Exception {
        return Files.readSymbolicLink(p).toString(); // "net:[4026532...]"
    }

    @Test
    void createRunAndDeleteAreVisibleToIp() throws Exception {
        String mine = nsId(Path.of("/proc/thread-self/ns/net"));
        String name;
        try (TestNs ns = new TestNs()) {
            name = ns.name;
            assertThat(Sh.ok("ip", "netns", "list")).contains(name);
            assertThat(ns.ip("link", "show", "lo")).contains("UP");
            String inside = NetNs.run(name, () -> nsId(Path.of("/proc/thread-self/ns/net")));
            assertThat(inside).isNotEqualTo(mine);
            long inode = (long) Files.getAttribute(NetNs.path(name), "unix:ino");
            assertThat(inside).isEqualTo("net:[" + inode + "]");
            assertThat(nsId(Path.of("/proc/thread-self/ns/net")))
                    .as("caller stays home")
                    .isEqualTo(mine);
            assertThatThrownBy(() -> NetNs.create(name))
                    .isInstanceOf(NetlinkException.class)
                    .hasMessage("create namespace " + name + ": it exists");
            assertThatThrownBy(() -> NetNs.run(name, () -> {
                        throw new IllegalStateException("boom");
                    }))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("boom");
        }
        assertThat(Sh.ok("ip", "netns", "list")).doesNotContain(name);
        org.calicojava.netlink.Netlink closed = org.calicojava.netlink.Netlink.open();
        closed.close();
        assertThatThrownBy(closed::links).isInstanceOf(NetlinkException.class).hasMessage("netlink socket is closed");
        assertThat(NetNs.exists(name)).isFalse();
        assertThatThrownBy(() -> NetNs.delete(name)).hasMessage("delete namespace " + name + ": no such namespace");
        assertThatThrownBy(() -> NetNs.run(name, () -> 1))
                .isInstanceOf(NetlinkException.class)
                .hasMessageContaining("no such file or directory (ENOENT)");
    }

    @Test
    void sysctlsApplyToTheNamespaceOfTheRunningThread() {
        String hostForwarding = Sysctl.get("net/ipv4/ip_forward");
        try (TestNs ns = new TestNs()) {
            ns.nl.createVeth("cali0", "eth0");
            NetNs.run(ns.name, () -> {
                Sysctl.set("net/ipv4/ip_forward", hostForwarding.equals("1") ? "0" : "1");
                Sysctl.proxyArp("cali0", true);
                Sysctl.forwarding("cali0", false, true);
                Sysctl.routeLocalnet("cali0", true);
                Sysctl.proxyDelay("cali0", 0);
                Sysctl.acceptRa("cali0", 0);
                Sysctl.proxyNdp("cali0", true);
                Sysctl.forwarding("cali0", true, true);
                return null;
            });
            String[] expected = {
                "net.ipv4.conf.cali0.proxy_arp = 1", "net.ipv4.conf.cali0.forwarding = 1",
                "net.ipv4.conf.cali0.route_localnet = 1", "net.ipv4.neigh.cali0.proxy_delay = 0",
                "net.ipv6.conf.cali0.accept_ra = 0", "net.ipv6.conf.cali0.proxy_ndp = 1",
                "net.ipv6.conf.cali0.forwarding = 1"
            };
            String shown = Sh.ok(
                    "ip",
                    "netns",
                    "exec",
                    ns.name,
                    "sysctl",
                    "net.ipv4.conf.cali0.proxy_arp",
                    "net.ipv4.conf.cali0.forwarding",
                    "net.ipv4.conf.cali0.route_localnet",
                    "net.ipv4.neigh.cali0.proxy_delay",
                    "net.ipv6.conf.cali0.accept_ra",
                    "net.ipv6.conf.cali0.proxy_ndp",
                    "net.ipv6.conf.cali0.forwarding");
            assertThat(shown).contains(expected);
            assertThat(Sh.ok("ip", "netns", "exec", ns.name, "cat", "/proc/sys/net/ipv4/ip_forward")
                            .strip())
                    .isNotEqualTo(hostForwarding);
            assertThat(Sysctl.get("net/ipv4/ip_forward")).as("host untouched").isEqualTo(hostForwarding);
            assertThatThrownBy(() -> Sysctl.proxyArp("cali0", true))
                    .as("no cali0 on the host")
                    .hasMessage("sysctl net/ipv4/conf/cali0/proxy_arp: no such setting (interface missing?)");
        }
    }

    @Test
    void workloadSysctlsLeaveIpv6OutWhereTheInterfaceHasNone() {
        try (TestNs ns = new TestNs()) {
            // below IPv6's minimum MTU the kernel gives the interface no IPv6 at all: no net/ipv6/conf/cali1
            ns.ip("link", "add", "cali1", "mtu", "1000", "type", "veth", "peer", "name", "eth1");
            NetNs.run(ns.name, () -> {
                WorkloadInterface.configureSysctls("cali1");
                return null;
            });
            assertThat(Sh.ok(
                                    "ip",
                                    "netns",
                                    "exec",
                                    ns.name,
                                    "sysctl",
                                    "-n",
                                    "net.ipv4.conf.cali1.proxy_arp",
                                    "net.ipv4.conf.cali1.route_localnet",
                                    "net.ipv4.neigh.cali1.proxy_delay")
                            .lines())
                    .containsExactly("1", "1", "0");
            assertThat(NetNs.run(ns.name, () -> Sysctl.acceptRaIfIpv6("cali1", 0)))
                    .isFalse();
            assertThat(NetNs.run(ns.name, () -> Sysctl.setIfPresent("net/ipv4/conf/cali1/proxy_arp", "0")))
                    .isTrue();
            assertThat(NetNs.run(ns.name, () -> Sysctl.get("net/ipv4/conf/cali1/proxy_arp")))
                    .isEqualTo("0");
            assertThatThrownBy(() -> NetNs.run(ns.name, () -> {
                        Sysctl.set("net/ipv4/neigh/cali1/proxy_delay", "not-a-number");
                        return null;
                    }))
                    .hasMessageContaining(
                            "sysctl net/ipv4/neigh/cali1/proxy_delay = not-a-number: invalid argument (EINVAL)");
        }
    }
}
