package org.calicojava.netlink.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.calicojava.netlink.InetConf;
import org.calicojava.netlink.Link;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.Sysctl;
import org.calicojava.netlink.WorkloadInterface;
import org.junit.jupiter.api.Test;

/**
 * A link's IPv4/IPv6 settings as the kernel reports them in its link message ({@link Link#inet}), and the workload
 * sysctls that leave out what is already set: against /proc in a test namespace.
 */
class InetConfIT {
    private static void set(String ns, String key, String value) {
        NetNs.run(ns, () -> {
            Sysctl.set(key, value);
            return null;
        });
    }

    private static InetConf inet(TestNs ns, String ifname) {
        return ns.nl.link(ifname).orElseThrow().inet();
    }

    @Test
    void theLinkMessageReportsEachSettingAsProcHasIt() {
        try (TestNs ns = new TestNs()) {
            ns.nl.createVeth("cali0", "eth0");
            String[][] rounds = {{"1", "0", "1", "2", "0", "1"}, {"0", "1", "0", "0", "1", "0"}};
            for (String[] v : rounds) { // each setting both ways, so no index is right by a default's chance
                set(ns.name, "net/ipv4/conf/cali0/forwarding", v[0]);
                set(ns.name, "net/ipv4/conf/cali0/proxy_arp", v[1]);
                set(ns.name, "net/ipv4/conf/cali0/route_localnet", v[2]);
                set(ns.name, "net/ipv6/conf/cali0/accept_ra", v[3]);
                set(ns.name, "net/ipv6/conf/cali0/proxy_ndp", v[4]);
                set(ns.name, "net/ipv6/conf/cali0/forwarding", v[5]);
                assertThat(inet(ns, "cali0"))
                        .isEqualTo(new InetConf(
                                Integer.parseInt(v[0]),
                                Integer.parseInt(v[1]),
                                Integer.parseInt(v[2]),
                                Integer.parseInt(v[5]),
                                Integer.parseInt(v[3]),
                                Integer.parseInt(v[4])));
            }
            assertThat(ns.nl.links().stream().filter(l -> l.name().equals("cali0")))
                    .singleElement()
                    .extracting(Link::inet)
                    .as("a dump reports the same as a get")
                    .isEqualTo(inet(ns, "cali0"));
        }
    }

    @Test
    void configuringWritesOnlyWhatDiffersAndNothingTheSecondTime() {
        try (TestNs ns = new TestNs()) {
            ns.nl.createVeth("cali0", "eth0");
            ns.ip("link", "add", "cali1", "mtu", "1000", "type", "veth", "peer", "name", "eth1"); // no IPv6 settings
            assertThat(inet(ns, "cali1").hasIpv6()).isFalse();
            assertThat(inet(ns, "cali1").proxyArp()).isZero();
            // what a fresh namespace's interfaces lack differs by setting: count it from what the kernel reports
            for (String i : new String[] {"cali0", "cali1"}) {
                InetConf before = inet(ns, i);
                int expected = differing(before) + 1; // and the proxy delay, always written
                assertThat(NetNs.run(ns.name, () -> WorkloadInterface.configureSysctls(i, before)))
                        .as(i + " first time")
                        .isEqualTo(expected)
                        .isPositive();
                InetConf after = inet(ns, i);
                assertThat(differing(after)).as(i + " all set").isZero();
                assertThat(NetNs.run(ns.name, () -> WorkloadInterface.configureSysctls(i, after)))
                        .as(i + " again: the proxy delay only")
                        .isEqualTo(1);
            }
            set(ns.name, "net/ipv4/conf/cali0/proxy_arp", "0"); // someone undoes two of them: those and the proxy delay
            set(ns.name, "net/ipv6/conf/cali0/accept_ra", "1");
            InetConf undone = inet(ns, "cali0");
            assertThat(NetNs.run(ns.name, () -> WorkloadInterface.configureSysctls("cali0", undone)))
                    .isEqualTo(3);
            assertThat(inet(ns, "cali0")).isEqualTo(new InetConf(1, 1, 1, 1, 0, 1));
            // unknown settings are all written, as before
            assertThat(NetNs.run(ns.name, () -> WorkloadInterface.configureSysctls("cali0", InetConf.UNKNOWN)))
                    .isEqualTo(7);
        }
    }

    /** How many of Calico's workload settings that a link message carries {@code c} does not have yet. */
    private static int differing(InetConf c) {
        int n = (c.proxyArp() != 1 ? 1 : 0) + (c.routeLocalnet() != 1 ? 1 : 0) + (c.forwarding() != 1 ? 1 : 0);
        if (c.hasIpv6()) {
            n += (c.ipv6AcceptRa() != 0 ? 1 : 0) + (c.ipv6ProxyNdp() != 1 ? 1 : 0) + (c.ipv6Forwarding() != 1 ? 1 : 0);
        }
        return n;
    }
}
