package org.calicojava.cni;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.calicojava.ipam.Ipam;
import org.calicojava.model.Cidr;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * calico-java-ipam's handles against a real etcd: attachments whose old handles collided (container abc + net1 vs
 * abc.net1 + eth0; container javactl + web vs javactl's own handle javactl.web) keep their own addresses; an
 * interface name outside the handle character set works and its DEL succeeds even when nothing was made; an
 * over-long handle is refused by ADD; a DEL after the upgrade releases an attachment's legacy handle only if its
 * allocations are cni's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CniHandleIT {
    CniHost host;
    Ipam ipam;
    final CniConformanceIT conformance = new CniConformanceIT();

    @BeforeAll
    void setUp() throws Exception {
        host = new CniHost();
        host.pool("10.97.0.0/16", 0);
        ipam = new Ipam(host.store, host.keys);
        conformance.host = host;
    }

    @AfterAll
    void tearDown() {
        if (host != null) {
            host.close();
        }
    }

    Cidr add(String id, Path ns, String ifname) {
        CniHost.Call add = host.call("calico-java-cni", "ADD", id, ns, ifname, host.conf("1.0.0", ""));
        assertThat(add.rc()).as(add.toString()).isZero();
        return Cidr.parse(add.json().get("ips").get(0).get("address").asText());
    }

    void del(String id, String ifname) {
        CniHost.Call del = host.call("calico-java-cni", "DEL", id, null, ifname, host.conf("1.0.0", ""));
        assertThat(del.rc()).as(del.toString()).isZero();
    }

    @Test
    void attachmentsWhoseOldHandlesCollidedKeepTheirOwnAddresses() {
        String abc = "h" + host.sfx;
        Cidr first = add(abc, host.container("h1"), "net1");
        Cidr second = add(abc + ".net1", host.container("h2"), "eth0");
        assertThat(second).isNotEqualTo(first);
        Ipam.IpInfo info = ipam.info(first);
        assertThat(info.handle()).isEqualTo(CniConformanceIT.handle(abc, "net1"));
        assertThat(info.attrs())
                .containsEntry("orchestrator", "cni")
                .containsEntry("containerID", abc)
                .containsEntry("ifname", "net1")
                .containsEntry("plugin", "calico-java-cni"); // it writes the endpoint record
        del(abc + ".net1", "eth0");
        assertThat(ipam.info(first).assigned())
                .as("the other attachment's address")
                .isTrue();
        assertThat(ipam.info(second).assigned()).isFalse();
        del(abc, "net1");
        assertThat(ipam.info(first).assigned()).isFalse();
    }

    @Test
    void javactlsHandleIsNotACniAttachments() {
        Cidr ctl = ipam.assign(Cidr.host("10.97.200.1"), "javactl.web", Map.of(), CniHost.HOST);
        Cidr pod = add("javactl", host.container("jc"), "web");
        assertThat(pod).isNotEqualTo(ctl);
        del("javactl", "web");
        assertThat(ipam.info(pod).assigned()).isFalse();
        assertThat(ipam.info(ctl).assigned())
                .as("javactl's container keeps its address")
                .isTrue();
        // an attachment with the same legacy handle (made before the upgrade it would be javactl.web2): its DEL
        // never releases a handle whose allocations are not cni's
        Cidr ctl2 = ipam.assign(Cidr.host("10.97.200.2"), "javactl.web2", Map.of(), CniHost.HOST);
        del("javactl", "web2");
        assertThat(ipam.info(ctl2).assigned()).isTrue();
        assertThat(host.store.get(host.keys.ipamHandle("javactl.web2"))).isPresent();
    }

    @Test
    void anInterfaceNameOutsideTheHandleCharactersWorksAndItsDelAlwaysSucceeds() {
        String id = "at" + host.sfx;
        del(id, "net@9"); // nothing was ever made: success
        Cidr ip = add(id, host.container("at"), "net@1");
        assertThat(ipam.info(ip).handle()).isEqualTo("cni." + id + "._6e65744031");
        del(id, "net@1");
        del(id, "net@1");
        assertThat(ipam.info(ip).assigned()).isFalse();
        conformance.assertNothingLeft(id, "net@1");
    }

    @Test
    void anOverlongHandleIsRefusedByAddAndItsDelSucceeds() {
        String id = "l" + host.sfx + "x".repeat(250 - host.sfx.length());
        Path ns = host.container("long");
        CniHost.Call add = host.call("calico-java-cni", "ADD", id, ns, "eth0", host.conf("1.0.0", ""));
        assertThat(add.rc()).as(add.toString()).isNotZero();
        assertThat(add.json().get("code").asInt()).as(add.toString()).isEqualTo(CniException.INVALID_CONFIG);
        assertThat(host.caliLinks()).doesNotContain(CniConformanceIT.hostIf(id, "eth0"));
        assertThat(host.endpoints()).noneMatch(kv -> kv.key().contains("/workload/cni/" + id + "/"));
        del(id, "eth0");
    }

    /** An attachment as the plugin made it before "cni." handles: its address on the legacy handle, its endpoint. */
    Cidr legacyAttachment(String id, String ifname, String ip) {
        CniEnv env = new CniEnv("DEL", id, "", ifname, Map.of(), java.util.List.of());
        Cidr a = ipam.assign(Cidr.host(ip), CalicoIpam.legacyHandle(env), Map.of("orchestrator", "cni"), CniHost.HOST);
        String epId = NetworkPlugin.endpointId(env);
        host.store.put(
                host.keys.endpoint(CniHost.HOST, "cni", id, epId),
                "{\"state\":\"active\",\"name\":\"" + org.calicojava.netlink.WorkloadInterface.hostName(epId)
                        + "\",\"mac\":\"ee:ee:ee:ee:ee:ee\",\"profile_ids\":[\"" + CniHost.NETWORK
                        + "\"],\"ipv4_nets\":[\"" + ip + "/32\"],\"ipv6_nets\":[]}");
        return a;
    }

    @Test
    void aDelAfterTheUpgradeReleasesTheLegacyHandleOfACniAttachment() {
        String id = "old" + host.sfx;
        Cidr old = legacyAttachment(id, "eth0", "10.97.201.1");
        Cidr oldNet1 = legacyAttachment(id, "net1", "10.97.201.2");
        del(id, "eth0");
        assertThat(ipam.info(old).assigned()).isFalse();
        assertThat(host.store.get(host.keys.ipamHandle(id))).isEmpty();
        assertThat(ipam.info(oldNet1).assigned())
                .as("another interface's legacy handle")
                .isTrue();
        del(id, "net1");
        assertThat(ipam.info(oldNet1).assigned()).isFalse();
        conformance.assertNothingLeft(id, "net1");
    }

    @Test
    void aDelAfterTheUpgradeLeavesALegacyHandleThatIsAnotherAttachments() {
        String id = "amb" + host.sfx;
        // before the upgrade: container amb.net1's eth0 had the handle amb.net1, which is also the legacy handle of
        // container amb's net1; DEL of the latter (never made, so no endpoint of its own) must leave it
        Cidr other = legacyAttachment(id + ".net1", "eth0", "10.97.202.1");
        del(id, "net1");
        assertThat(ipam.info(other).assigned())
                .as("amb.net1's eth0 keeps its address")
                .isTrue();
        del(id + ".net1", "eth0");
        assertThat(ipam.info(other).assigned()).isFalse();
    }
}
