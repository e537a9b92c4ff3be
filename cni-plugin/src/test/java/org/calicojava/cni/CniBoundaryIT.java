package org.calicojava.cni;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.calicojava.ipam.Ipam;
import org.calicojava.model.Cidr;
import org.calicojava.netlink.NetNs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The plugin's boundaries against a real etcd and kernel: a CNI_NETNS that is the plugin's own namespace or no network
 * namespace at all is refused before anything is made; DEL removes the veth before it releases the addresses and the
 * endpoint after (a failed release keeps it for the retry), and an unreadable IPAM record does not make it fail; bad data from a delegated plugin or etcd is code
 * 100, not 7; an Error inside the plugin is a CNI error JSON; the stand-alone IPAM plugin's DEL never frees a legacy
 * handle it cannot tell is its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CniBoundaryIT {
    static final String SCRIPT = """
            #!/bin/sh
            d=DIR
            cat >/dev/null
            echo "$CNI_COMMAND $CNI_CONTAINERID" >> "$d/calls"
            case "$CNI_COMMAND" in
            ADD)
              case "$CNI_CONTAINERID" in
                badgw*) echo '{"cniVersion":"1.0.0","ips":[{"address":"10.93.9.7/24","gateway":"x"}]}' ;;
                *) echo '{"cniVersion":"1.0.0","ips":[{"address":"10.93.9.8/24"}]}' ;;
              esac ;;
            DEL)
              case "$CNI_CONTAINERID" in
                faildel*) echo '{"cniVersion":"1.0.0","code":11,"msg":"store locked"}'; exit 1 ;;
              esac ;;
            esac
            exit 0
            """;

    CniHost host;
    Path dir;
    Ipam ipam;
    final CniConformanceIT conformance = new CniConformanceIT();

    @BeforeAll
    void setUp() throws Exception {
        host = new CniHost();
        host.pool("10.93.0.0/16", 0);
        ipam = new Ipam(host.store, host.keys);
        conformance.host = host;
        dir = Files.createDirectory(host.tmp.resolve("fake-ipam"));
        Path exe = host.binDir.resolve("fake-ipam");
        Files.writeString(exe, SCRIPT.replace("DIR", dir.toString()));
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    void tearDown() {
        if (host != null) {
            host.close();
        }
    }

    String calls() throws Exception {
        Path f = dir.resolve("calls");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    @Test
    void aNetnsThatIsThePluginsOwnOrNoNetworkNamespaceIsRefusedBeforeAnythingIsMade() throws Exception {
        Path plain = Files.writeString(host.tmp.resolve("plain-file"), "");
        List<Path> bad = List.of(
                NetNs.path(host.ns), // the namespace the plugin runs in (the test's host)
                Path.of("/proc/self/ns/net"), // the same, as the plugin process sees it
                Path.of("/proc/self/ns/uts"), // a namespace, not a network one
                plain);
        String conf = host.conf("1.0.0", "");
        int i = 0;
        for (Path netns : bad) {
            String id = "ns" + i++ + host.sfx;
            CniHost.Call add = host.call("calico-java-cni", "ADD", id, netns, "eth0", conf);
            assertThat(add.rc()).as(netns + ": " + add).isEqualTo(1);
            assertThat(add.json().get("code").asInt()).as(add.toString()).isEqualTo(CniException.INVALID_ENVIRONMENT);
            assertThat(add.json().get("msg").asText()).startsWith("CNI_NETNS: ");
            assertThat(host.hostLink("eth0"))
                    .as("no workload end in the host's namespace")
                    .isEmpty();
            conformance.assertNothingLeft(id, "eth0");
            CniHost.Call check = host.call("calico-java-cni", "CHECK", id, netns, "eth0", conf);
            assertThat(check.json().get("code").asInt())
                    .as(check.toString())
                    .isEqualTo(CniException.INVALID_ENVIRONMENT);
        }
        // DEL of an attachment whose namespace is gone succeeds and removes it all
        Path ns = host.container("gone");
        String id = "gone" + host.sfx;
        CniHost.Call add = host.call("calico-java-cni", "ADD", id, ns, "eth0", conf);
        assertThat(add.rc()).as(add.toString()).isZero();
        NetNs.delete(ns.getFileName().toString());
        CniHost.Call del = host.call("calico-java-cni", "DEL", id, ns, "eth0", conf);
        assertThat(del.rc()).as(del.toString()).isZero();
        conformance.assertNothingLeft(id, "eth0");
    }

    @Test
    void delRemovesEndpointAndVethEvenWhenTheIpamHandleIsUnreadable() {
        Path ns = host.container("uh");
        String id = "unread" + host.sfx;
        String conf = host.conf("1.0.0", "");
        CniHost.Call add = host.call("calico-java-cni", "ADD", id, ns, "eth0", conf);
        assertThat(add.rc()).as(add.toString()).isZero();
        String hostIf = CniConformanceIT.hostIf(id, "eth0");
        assertThat(host.caliLinks()).contains(hostIf);
        host.store.put(host.keys.ipamHandle(CniConformanceIT.handle(id, "eth0")), "{not a handle record");
        for (int k = 0; k < 2; k++) {
            CniHost.Call del = host.call("calico-java-cni", "DEL", id, ns, "eth0", conf);
            assertThat(del.rc()).as("DEL #" + (k + 1) + ": " + del).isZero();
        }
        assertThat(host.caliLinks()).doesNotContain(hostIf);
        assertThat(host.endpoints()).noneMatch(kv -> kv.key().contains("/workload/cni/" + id + "/"));
        host.store.delete(host.keys.ipamHandle(CniConformanceIT.handle(id, "eth0")));
    }

    @Test
    void aDelWhoseIpamReleaseFailsHasRemovedTheVethAndKeepsTheEndpointForItsRetry() throws Exception {
        Path ns = host.container("fd");
        String id = "faildel" + host.sfx;
        String conf = host.conf("1.0.0", ",\"ipam\":{\"type\":\"fake-ipam\"}");
        CniHost.Call add = host.call("calico-java-cni", "ADD", id, ns, "eth0", conf);
        assertThat(add.rc()).as(add.toString()).isZero();
        String hostIf = CniConformanceIT.hostIf(id, "eth0");
        assertThat(host.caliLinks()).contains(hostIf);
        CniHost.Call del = host.call("calico-java-cni", "DEL", id, ns, "eth0", conf);
        assertThat(del.rc()).as("the IPAM plugin's failure is reported: " + del).isEqualTo(1);
        assertThat(del.json().get("code").asInt()).isEqualTo(CniException.TRY_AGAIN_LATER);
        assertThat(calls()).contains("DEL " + id);
        assertThat(host.caliLinks()).as("no veth left routing the address").doesNotContain(hostIf);
        assertThat(host.endpoints())
                .as("the endpoint stays, so the runtime's retry finds the attachment's addresses again")
                .anyMatch(kv -> kv.key().contains("/workload/cni/" + id + "/"));
    }

    @Test
    void aBadGatewayFromADelegatedIpamIsAPluginFailureAndUndone() throws Exception {
        Path ns = host.container("gw");
        String id = "badgw" + host.sfx;
        CniHost.Call add = host.call(
                "calico-java-cni", "ADD", id, ns, "eth0", host.conf("1.0.0", ",\"ipam\":{\"type\":\"fake-ipam\"}"));
        assertThat(add.rc()).as(add.toString()).isEqualTo(1);
        assertThat(add.json().get("code").asInt()).as(add.toString()).isEqualTo(CniException.PLUGIN_FAILURE);
        assertThat(add.json().get("msg").asText()).contains("fake-ipam returned a bad gateway");
        assertThat(calls()).contains("DEL " + id);
        assertThat(host.caliLinks()).doesNotContain(CniConformanceIT.hostIf(id, "eth0"));
        assertThat(host.endpoints()).noneMatch(kv -> kv.key().contains("/workload/cni/" + id + "/"));
    }

    @Test
    void checkOfAnUnreadableEndpointRecordIsAPluginFailure() {
        Path ns = host.container("ck");
        String id = "corrupt" + host.sfx;
        String conf = host.conf("1.0.0", "");
        CniHost.Call add = host.call("calico-java-cni", "ADD", id, ns, "eth0", conf);
        assertThat(add.rc()).as(add.toString()).isZero();
        String key = host.keys.endpoint(
                CniHost.HOST,
                "cni",
                id,
                NetworkPlugin.endpointId(new CniEnv("ADD", id, "/x", "eth0", Map.of(), List.of())));
        assertThat(host.store.get(key)).isPresent();
        host.store.put(key, "{\"state\":\"active\",\"name\":\"bad name!\"}");
        CniHost.Call check = host.call("calico-java-cni", "CHECK", id, ns, "eth0", conf);
        assertThat(check.rc()).as(check.toString()).isEqualTo(1);
        assertThat(check.json().get("code").asInt()).as(check.toString()).isEqualTo(CniException.PLUGIN_FAILURE);
        assertThat(check.json().get("msg").asText()).contains("unreadable");
        CniHost.Call del = host.call("calico-java-cni", "DEL", id, ns, "eth0", conf);
        assertThat(del.rc()).as(del.toString()).isZero();
        conformance.assertNothingLeft(id, "eth0");
    }

    @Test
    void anErrorInsideThePluginIsACniErrorJson() {
        Path ns = host.container("er");
        String id = "error" + host.sfx;
        // jnr-ffi cannot load its provider: an UnsatisfiedLinkError (an Error) on the first native call
        CniHost.Call add = host.call(
                "calico-java-cni",
                "ADD",
                id,
                ns,
                "eth0",
                host.conf("1.0.0", ""),
                Map.of("CALICO_JAVA_CNI_JAVA_OPTS", "-Djnr.ffi.provider=no.such.Provider"));
        assertThat(add.rc()).as(add.toString()).isEqualTo(1);
        assertThat(add.json().get("code").asInt()).as(add.toString()).isEqualTo(CniException.PLUGIN_FAILURE);
        assertThat(add.json().get("msg").asText()).contains("UnsatisfiedLinkError");
        assertThat(add.err())
                .as("one line, no stack trace")
                .doesNotContain("\tat ")
                .doesNotContain("Exception in");
        conformance.assertNothingLeft(id, "eth0");
    }

    @Test
    void theStandAloneIpamDelLeavesALegacyHandleItCannotTellIsItsOwn() {
        String id = "sa" + host.sfx;
        // before "cni." handles, container sa.net1's eth0 had the handle sa.net1, which is also the legacy handle of
        // container sa's net1; the stand-alone IPAM plugin has no endpoint record to tell them apart
        CniEnv other = new CniEnv("DEL", id + ".net1", "", "eth0", Map.of(), List.of());
        Cidr a = ipam.assign(
                Cidr.host("10.93.250.1"), CalicoIpam.legacyHandle(other), Map.of("orchestrator", "cni"), CniHost.HOST);
        String conf = host.conf("1.0.0", ",\"ipam\":{\"type\":\"calico-java-ipam\"}");
        CniHost.Call del = host.call("calico-java-ipam", "DEL", id, null, "net1", conf);
        assertThat(del.rc()).as(del.toString()).isZero();
        assertThat(ipam.info(a).assigned())
                .as("sa.net1's eth0 keeps its address")
                .isTrue();
        assertThat(ipam.releaseByHandle(CalicoIpam.legacyHandle(other))).containsExactly(a);
    }
}
