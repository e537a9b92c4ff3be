package org.calicojava.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * GC (CNI 1.1.0) against a real etcd and real veths: without {@code cni.dev/valid-attachments} nothing is deleted
 * (code 7); with an empty list every attachment of the network goes; one attachment that cannot be removed does not
 * keep the others, and GC then fails with a CNI error.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CniGcIT {
    CniHost host;
    CniConformanceIT conformance = new CniConformanceIT();

    @BeforeAll
    void setUp() throws Exception {
        host = new CniHost();
        host.pool("10.94.0.0/16", 0);
        conformance.host = host;
    }

    @AfterAll
    void tearDown() {
        if (host != null) {
            host.close();
        }
    }

    String id(String n) {
        return n + host.sfx;
    }

    Path lockOf(String n) {
        return AttachmentLock.file(Cli.Kind.NETWORK, new CniEnv("DEL", id(n), "", "eth0", Map.of(), List.of()));
    }

    @Test
    void gcWithoutTheListDeletesNothingAndOneFailureDoesNotStopTheOthers() throws Exception {
        // gc1 and gc3 must not share gc2's lock file, which the test holds below (1 in 1,024 each, by the ids' suffix)
        assumeThat(List.of(lockOf("gc1"), lockOf("gc3"))).doesNotContain(lockOf("gc2"));
        String conf = host.conf("1.1.0", "");
        List<String> names = List.of("gc1", "gc2", "gc3");
        for (String n : names) {
            CniHost.Call add = host.call("calico-java-cni", "ADD", id(n), host.container(n), "eth0", conf);
            assertThat(add.rc()).as(add.toString()).isZero();
        }
        for (String bad : List.of("", ",\"cni.dev/valid-attachments\":{}")) {
            CniHost.Call gc = host.call("calico-java-cni", "GC", "", null, "", host.conf("1.1.0", bad));
            assertThat(gc.rc()).as(gc.toString()).isNotZero();
            assertThat(gc.json().get("code").asInt()).as(gc.toString()).isEqualTo(CniException.INVALID_CONFIG);
            assertThat(gc.json().get("msg").asText()).contains("cni.dev/valid-attachments");
            for (String n : names) {
                assertThat(host.caliLinks()).as("veth of " + n).contains(CniConformanceIT.hostIf(id(n), "eth0"));
                assertThat(host.endpoints()).anyMatch(kv -> kv.key().contains("/workload/cni/" + id(n) + "/"));
                assertThat(host.store.get(host.keys.ipamHandle(CniConformanceIT.handle(id(n), "eth0"))))
                        .isPresent();
            }
        }

        // gc2's DEL fails (another process holds its attachment lock, as a runtime's DEL of it still running; GC gives
        // up on it after CALICO_JAVA_CNI_PLUGIN_TIMEOUT): gc1 and gc3 are still collected. The list is null, as CRI-O
        // sends it for a network without pods (a nil Go slice): the same as an empty list
        CniHost.Call gc;
        Path lock = lockOf("gc2");
        Files.createDirectories(AttachmentLock.dir());
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = ch.lock()) {
            gc = host.call(
                    "calico-java-cni",
                    "GC",
                    "",
                    null,
                    "",
                    host.conf("1.1.0", ",\"cni.dev/valid-attachments\":null"),
                    Map.of(ExecPlugin.TIMEOUT_ENV, "1"));
        }
        assertThat(gc.rc()).as(gc.toString()).isNotZero();
        assertThat(gc.json().get("code").asInt()).as(gc.toString()).isEqualTo(CniException.PLUGIN_FAILURE);
        assertThat(gc.json().get("msg").asText()).contains(id("gc2"));
        conformance.assertNothingLeft(id("gc1"), "eth0");
        conformance.assertNothingLeft(id("gc3"), "eth0");
        assertThat(host.endpoints()).anyMatch(kv -> kv.key().contains("/workload/cni/" + id("gc2") + "/"));

        CniHost.Call del = host.call("calico-java-cni", "DEL", id("gc2"), null, "eth0", conf);
        assertThat(del.rc()).as(del.toString()).isZero();
        conformance.assertNothingLeft(id("gc2"), "eth0");
    }

    /**
     * A network name that cannot be a label value (100 characters) and an interface name that cannot either (ending in
     * '.'): GC still tells the attachment (the network by its hash, the interface by its bytes' hex) and removes it
     * unless it is listed; before, such an endpoint had no label and GC never removed it.
     */
    @Test
    void gcFindsAttachmentsWhoseNamesCannotBeLabelValues() throws Exception {
        String network = "n" + "x".repeat(98) + "_";
        String conf =
                host.conf("1.1.0", "").replace("\"name\":\"" + CniHost.NETWORK + "\"", "\"name\":\"" + network + "\"");
        String kept = id("odd1");
        String stale = id("odd2");
        for (String id : List.of(kept, stale)) {
            CniHost.Call add = host.call("calico-java-cni", "ADD", id, host.container(id), "eth0.", conf);
            assertThat(add.rc()).as(add.toString()).isZero();
        }
        assertThat(host.endpoints())
                .filteredOn(kv -> kv.key().contains("/workload/cni/" + kept + "/"))
                .singleElement()
                .satisfies(kv -> assertThat(kv.value())
                        .contains("\"calico-java.org/network-sha256\":\"" + Lifecycle.networkHash(network) + "\"")
                        .contains("\"calico-java.org/interface-hex\":\"657468302e\""));
        CniHost.Call gc = host.call(
                "calico-java-cni",
                "GC",
                "",
                null,
                "",
                conf.replace(
                        "\"cniVersion\"",
                        "\"cni.dev/valid-attachments\":[{\"containerID\":\"" + kept
                                + "\",\"ifname\":\"eth0.\"}],\"cniVersion\""));
        assertThat(gc.rc()).as(gc.toString()).isZero();
        conformance.assertNothingLeft(stale, "eth0.");
        assertThat(host.endpoints()).anyMatch(kv -> kv.key().contains("/workload/cni/" + kept + "/"));
        CniHost.Call del = host.call("calico-java-cni", "DEL", kept, null, "eth0.", conf);
        assertThat(del.rc()).as(del.toString()).isZero();
        conformance.assertNothingLeft(kept, "eth0.");
    }
}
