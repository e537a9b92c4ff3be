package org.calicojava.netlink.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.calicojava.netlink.Address;
import org.calicojava.netlink.AlreadyExistsException;
import org.calicojava.netlink.FdbEntry;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.Link;
import org.calicojava.netlink.LinkSpec;
import org.calicojava.netlink.MacAddress;
import org.calicojava.netlink.Neighbour;
import org.calicojava.netlink.NotFoundException;
import org.calicojava.netlink.Vxlan;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.Test;

/** vxlan links, neighbour and FDB entries in a test namespace, read back with ip -d link, ip neigh, bridge fdb. */
class EncapIT {
    static final MacAddress MAC = MacAddress.parse("66:0a:00:00:00:01");
    static final MacAddress REMOTE = MacAddress.parse("66:0a:00:00:00:02");

    @Test
    void createsAVxlanDeviceAndReadsItsParametersBack() {
        try (TestNs a = new TestNs()) {
            Link up = uplink(a, "192.0.2.1/24");
            InetAddress local = IpPrefix.parseAddress("192.0.2.1");
            Vxlan want = new Vxlan(4096, up.index(), local, 4789, false);
            Link vx = a.nl.createLink(LinkSpec.vxlan("vxlan.calico", want, 1450, MAC));
            assertThat(vx.kind()).isEqualTo("vxlan");
            assertThat(vx.mtu()).isEqualTo(1450);
            assertThat(vx.mac()).isEqualTo(MAC);
            assertThat(a.nl.vxlan("vxlan.calico")).contains(want);
            assertThat(a.nl.vxlan("up0")).isEmpty();
            assertThat(a.nl.vxlan("missing0")).isEmpty();
            assertThat(a.ip("-d", "link", "show", "vxlan.calico"))
                    .contains(
                            "mtu 1450",
                            "link/ether " + MAC,
                            "vxlan id 4096 local 192.0.2.1 dev up0",
                            "dstport 4789",
                            "nolearning");
            assertThatThrownBy(() -> a.nl.createLink(LinkSpec.vxlan("vxlan.calico", want, 1450, MAC)))
                    .isInstanceOf(AlreadyExistsException.class)
                    .hasMessageContaining("device exists");

            Vxlan v6 = new Vxlan(4096, up.index(), IpPrefix.parseAddress("2001:db8::1"), 4789, false);
            a.nl.createLink(LinkSpec.vxlan("vxlan-v6.calico", v6, 1430, null));
            assertThat(a.nl.vxlan("vxlan-v6.calico")).contains(v6);
            assertThat(a.ip("-d", "link", "show", "vxlan-v6.calico")).contains("mtu 1430", "local 2001:db8::1");
        }
    }

    @Test
    void programsListsAndDeletesNeighbourAndFdbEntries() {
        try (TestNs a = new TestNs()) {
            Link up = uplink(a, "192.0.2.1/24");
            Link vx = a.nl.createLink(LinkSpec.vxlan(
                    "vxlan.calico",
                    new Vxlan(4096, up.index(), IpPrefix.parseAddress("192.0.2.1"), 4789, false),
                    1450,
                    MAC));
            a.nl.setUp("vxlan.calico");
            InetAddress remoteTunnel = IpPrefix.parseAddress("10.65.1.0");
            InetAddress remoteHost = IpPrefix.parseAddress("198.51.100.2");

            Neighbour n = Neighbour.permanent(vx.index(), remoteTunnel, REMOTE);
            a.nl.replaceNeighbour(n);
            a.nl.replaceNeighbour(n); // replace is idempotent
            assertThat(a.ip("neigh", "show", "dev", "vxlan.calico"))
                    .contains("10.65.1.0 lladdr " + REMOTE + " PERMANENT");
            assertThat(a.nl.neighbours(vx.index()))
                    .filteredOn(Neighbour::permanent)
                    .containsExactly(n); // also: ff02:: noarp
            assertThat(a.nl.neighbours(up.index())).doesNotContain(n);

            FdbEntry f = FdbEntry.permanent(vx.index(), REMOTE, remoteHost);
            a.nl.replaceFdb(f);
            a.nl.replaceFdb(f);
            String fdb = Sh.ok("bridge", "-n", a.name, "fdb", "show", "dev", "vxlan.calico");
            assertThat(fdb).contains(REMOTE + " dst 198.51.100.2 self permanent");
            assertThat(a.nl.fdb(vx.index()))
                    .filteredOn(e -> e.dst() != null)
                    .singleElement()
                    .satisfies(e -> {
                        assertThat(e.mac()).isEqualTo(REMOTE);
                        assertThat(e.dst()).isEqualTo(remoteHost);
                        assertThat(e.permanent()).isTrue();
                    });

            // the remote host moved: replace points the MAC at the new address
            FdbEntry moved = FdbEntry.permanent(vx.index(), REMOTE, IpPrefix.parseAddress("198.51.100.3"));
            a.nl.replaceFdb(moved);
            assertThat(Sh.ok("bridge", "-n", a.name, "fdb", "show", "dev", "vxlan.calico"))
                    .contains(REMOTE + " dst 198.51.100.3 self permanent")
                    .doesNotContain("198.51.100.2");

            a.nl.deleteNeighbour(n);
            assertThat(a.ip("neigh", "show", "dev", "vxlan.calico")).doesNotContain("10.65.1.0");
            assertThat(a.nl.neighbours(vx.index()))
                    .filteredOn(Neighbour::permanent)
                    .isEmpty();
            assertThatThrownBy(() -> a.nl.deleteNeighbour(n)).isInstanceOf(NotFoundException.class);
            a.nl.deleteFdb(moved);
            assertThat(Sh.ok("bridge", "-n", a.name, "fdb", "show", "dev", "vxlan.calico"))
                    .doesNotContain(REMOTE.toString());
            assertThat(a.nl.fdb(vx.index())).noneMatch(e -> e.mac().equals(REMOTE));

            Neighbour n6 = Neighbour.permanent(vx.index(), IpPrefix.parseAddress("fd00:65::1"), REMOTE);
            a.nl.replaceNeighbour(n6);
            assertThat(a.ip("-6", "neigh", "show", "dev", "vxlan.calico")).contains("fd00:65::1 lladdr " + REMOTE);
            assertThat(a.nl.neighbours(vx.index()))
                    .filteredOn(Neighbour::permanent)
                    .containsExactly(n6);
        }
    }

    private static Link uplink(TestNs a, String address) {
        Link up = a.nl.createVeth("up0", "up1");
        a.nl.addAddress(Address.of(up.index(), IpPrefix.parse(address)));
        a.nl.addAddress(Address.of(up.index(), IpPrefix.parse("2001:db8::1/64")).withFlags(Address.NODAD));
        a.nl.setUp("up0");
        a.nl.setUp("up1");
        return up;
    }
}
