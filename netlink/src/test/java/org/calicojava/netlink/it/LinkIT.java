package org.calicojava.netlink.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.calicojava.netlink.AlreadyExistsException;
import org.calicojava.netlink.Link;
import org.calicojava.netlink.MacAddress;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.NoSuchDeviceException;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.Test;

/** veth pairs, link settings and moves between namespaces, each checked with {@code ip -n NS link}. */
class LinkIT {

    @Test
    void createsConfiguresAndDeletesAVethPair() {
        try (TestNs a = new TestNs()) {
            Link v0 = a.nl.createVeth("v0", "v1");
            assertThat(v0.kind()).isEqualTo("veth");
            Link v1 = a.nl.link("v1").orElseThrow();
            assertThat(v0.linkIndex()).isEqualTo(v1.index());
            assertThat(a.nl.link(v0.index()).orElseThrow().name()).isEqualTo("v0");
            assertThat(a.nl.links()).extracting(Link::name).containsExactlyInAnyOrder("lo", "v0", "v1");
            assertThat(a.nl.link("nope")).isEmpty();
            assertThat(a.nl.link(9999)).isEmpty();

            a.nl.setMtu("v0", 1400);
            a.nl.setMac("v0", MacAddress.parse("ee:ee:ee:ee:ee:ee"));
            a.nl.setUp("v0");
            a.nl.setUp("v1");
            String shown = a.ip("link", "show", "v0");
            assertThat(shown).contains("mtu 1400", "link/ether ee:ee:ee:ee:ee:ee", "<BROADCAST,MULTICAST,UP,LOWER_UP>");
            Link up = a.nl.link("v0").orElseThrow();
            assertThat(up.isUp()).isTrue();
            assertThat(up.mtu()).isEqualTo(1400);
            assertThat(up.mac()).isEqualTo(MacAddress.parse("ee:ee:ee:ee:ee:ee"));
            assertThat(TestNs.await(10, () -> a.nl.link("v0").orElseThrow().hasCarrier()))
                    .isTrue();

            a.nl.setDown("v0");
            assertThat(a.nl.link("v0").orElseThrow().isUp()).isFalse();
            assertThat(a.ip("link", "show", "v0")).doesNotContain(",UP");

            a.nl.rename("v0", "cali0123456789a");
            assertThat(a.ip("link", "show")).contains("cali0123456789a@v1").doesNotContain(" v0@");
            a.nl.deleteLink("cali0123456789a");
            assertThat(a.nl.links()).extracting(Link::name).containsExactly("lo");
        }
    }

    @Test
    void setsAndReadsALinksAlias() {
        try (TestNs a = new TestNs()) {
            a.nl.createVeth("v0", "v1");
            assertThat(a.nl.alias("v0")).contains("");
            String tag = "libnetwork:" + "0123456789abcdef".repeat(4);
            a.nl.setAlias("v0", tag);
            assertThat(a.ip("link", "show", "v0")).contains("alias " + tag);
            assertThat(a.nl.alias("v0")).contains(tag);
            assertThat(a.nl.alias("v1")).contains("");
            a.ip("link", "set", "v1", "alias", "by ip");
            assertThat(a.nl.alias("v1")).contains("by ip");
            a.nl.setAlias("v0", "");
            assertThat(a.nl.alias("v0")).contains("");
            assertThat(a.nl.alias("nope")).isEmpty();
            assertThatThrownBy(() -> a.nl.setAlias("nope", "x")).isInstanceOf(NoSuchDeviceException.class);
            assertThatThrownBy(() -> a.nl.setAlias("v0", "x".repeat(256))).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void movesLinksIntoOtherNamespacesByNameAndByPid() throws Exception {
        try (TestNs a = new TestNs();
                TestNs b = new TestNs();
                TestNs c = new TestNs()) {
            a.nl.createVeth("host0", "cont0");
            a.nl.moveToNetns("cont0", NetNs.path(b.name));
            assertThat(a.nl.link("cont0")).isEmpty();
            assertThat(b.nl.link("cont0")).isPresent();
            assertThat(b.ip("link", "show")).contains("cont0@");

            a.nl.createVeth("host1", "peer1", NetNs.path(b.name));
            assertThat(a.nl.link("peer1")).isEmpty();
            assertThat(b.nl.link("peer1").orElseThrow().kind()).isEqualTo("veth");

            Process sleeper = new ProcessBuilder("ip", "netns", "exec", c.name, "sleep", "60").start();
            try {
                // ip netns exec execs sleep in place, so this pid's namespace is c's once it has switched
                assertThat(TestNs.await(
                                10,
                                () -> Sh.run("ip", "netns", "identify", "" + sleeper.pid())
                                        .out()
                                        .strip()
                                        .equals(c.name)))
                        .isTrue();
                a.nl.createVeth("host2", "peer2");
                a.nl.moveToNetns("peer2", NetNs.pidPath(sleeper.pid()));
                assertThat(c.ip("link", "show")).contains("peer2@");
                assertThat(a.nl.link("peer2")).isEmpty();
            } finally {
                sleeper.destroy();
                sleeper.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void errorsNameTheDeviceAndTheirMeaning() {
        try (TestNs a = new TestNs()) {
            a.nl.createVeth("v0", "v1");
            assertThatThrownBy(() -> a.nl.createVeth("v0", "v9"))
                    .isInstanceOf(AlreadyExistsException.class)
                    .hasMessageStartingWith("create veth v0 peer v9")
                    .hasMessageContaining("device exists (EEXIST)");
            assertThatThrownBy(() -> a.nl.deleteLink("missing0"))
                    .isInstanceOf(NoSuchDeviceException.class)
                    .hasMessage("delete link missing0: no such device (ENODEV)");
            assertThatThrownBy(() -> a.nl.setUp("missing0")).isInstanceOf(NoSuchDeviceException.class);
            assertThatThrownBy(() -> a.nl.rename("missing0", "x")).isInstanceOf(NoSuchDeviceException.class);
            assertThatThrownBy(() -> a.nl.createVeth("much-too-long-name", "x"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("interface name: much-too-long-name (expected: at most 15 bytes in UTF-8, got 18)");
            assertThatThrownBy(() -> a.nl.setMtu("v0", 10)).hasMessage("mtu: 10 (expected: 68..65535)");
        }
    }
}
