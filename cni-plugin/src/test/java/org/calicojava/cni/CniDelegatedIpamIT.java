package org.calicojava.cni;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A delegated IPAM plugin (a shell script in CNI_PATH that records its calls and keeps one file per allocation) whose
 * ADD answers something unusable, hangs, or leaves a child holding its stdout: ADD fails with a CNI error and sends
 * the plugin a DEL (no allocation leaks), a hung plugin is killed with its children after the timeout, and a child
 * left behind does not block a good answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CniDelegatedIpamIT {
    static final String SCRIPT = """
            #!/bin/sh
            d=DIR
            cat >/dev/null
            echo "$CNI_COMMAND $CNI_CONTAINERID" >> "$d/calls"
            case "$CNI_COMMAND" in
            ADD)
              touch "$d/alloc-$CNI_CONTAINERID"
              case "$CNI_CONTAINERID" in
                noprefix*) echo '{"cniVersion":"1.0.0","ips":[{"address":"10.95.0.5"}]}' ;;
                nojson*) echo 'this is not JSON' ;;
                noips*) echo '{"cniVersion":"1.0.0","ips":[]}' ;;
                hang*) sleep 300 & echo $! > "$d/pid-$CNI_CONTAINERID"; wait ;;
                orphan*) sleep 300 & echo $! > "$d/pid-$CNI_CONTAINERID"
                         echo '{"cniVersion":"1.0.0","ips":[{"address":"10.95.0.6/24"}]}' ;;
              esac ;;
            DEL) rm -f "$d/alloc-$CNI_CONTAINERID" ;;
            esac
            exit 0
            """;

    CniHost host;
    Path dir;
    final List<Long> pids = new ArrayList<>();

    @BeforeAll
    void setUp() throws Exception {
        host = new CniHost();
        dir = Files.createDirectory(host.tmp.resolve("fake-ipam"));
        Path exe = host.binDir.resolve("fake-ipam");
        Files.writeString(exe, SCRIPT.replace("DIR", dir.toString()));
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    void tearDown() {
        try {
            for (long pid : pids) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        } finally {
            if (host != null) {
                host.close();
            }
        }
    }

    String conf() {
        return host.conf("1.0.0", ",\"ipam\":{\"type\":\"fake-ipam\"}");
    }

    /** The PID of the child the plugin started for {@code id} (stopped by PID in tearDown if still there). */
    long remember(String id) throws IOException {
        long pid = Long.parseLong(Files.readString(dir.resolve("pid-" + id)).trim());
        pids.add(pid);
        return pid;
    }

    static boolean running(long pid) throws IOException {
        Path stat = Path.of("/proc/" + pid + "/stat");
        if (!Files.exists(stat)) {
            return false;
        }
        String s = Files.readString(stat);
        return !s.substring(s.lastIndexOf(')') + 2).startsWith("Z");
    }

    void assertNothingLeft(String id) throws IOException {
        assertThat(dir.resolve("alloc-" + id))
                .as("the delegated allocation was DELed")
                .doesNotExist();
        assertThat(Files.readString(dir.resolve("calls"))).contains("DEL " + id);
        assertThat(host.caliLinks()).doesNotContain(CniConformanceIT.hostIf(id, "eth0"));
        assertThat(host.endpoints()).noneMatch(kv -> kv.key().contains("/workload/cni/" + id + "/"));
    }

    @Test
    void anUnusableAnswerGetsTheDelegatedPluginADel() throws Exception {
        for (String kind : List.of("noprefix", "nojson", "noips")) {
            String id = kind + host.sfx;
            CniHost.Call add = host.call("calico-java-cni", "ADD", id, host.container(kind), "eth0", conf());
            assertThat(add.rc()).as(add.toString()).isNotZero();
            assertThat(add.json().get("code").asInt()).as(add.toString()).isEqualTo(CniException.PLUGIN_FAILURE);
            assertNothingLeft(id);
        }
    }

    @Test
    void aHungPluginIsKilledWithItsChildrenAndDeled() throws Exception {
        String id = "hang" + host.sfx;
        CniHost.Call add = host.call(
                "calico-java-cni",
                "ADD",
                id,
                host.container("hang"),
                "eth0",
                conf(),
                Map.of(ExecPlugin.TIMEOUT_ENV, "3"));
        long child = remember(id);
        assertThat(add.rc()).as(add.toString()).isNotZero();
        assertThat(add.json().get("code").asInt()).as(add.toString()).isEqualTo(CniException.PLUGIN_FAILURE);
        assertThat(add.json().get("msg").asText()).contains("no answer in 3 s");
        assertThat(running(child)).as("the plugin's child was killed").isFalse();
        assertNothingLeft(id);
    }

    @Test
    void aChildHoldingStdoutDoesNotBlockTheAnswer() throws Exception {
        String id = "orphan" + host.sfx;
        Path ns = host.container("orphan");
        CniHost.Call add =
                host.call("calico-java-cni", "ADD", id, ns, "eth0", conf(), Map.of(ExecPlugin.TIMEOUT_ENV, "30"));
        remember(id);
        assertThat(add.rc()).as(add.toString()).isZero();
        assertThat(add.json().get("ips").get(0).get("address").asText()).isEqualTo("10.95.0.6/32");
        CniHost.Call del = host.call("calico-java-cni", "DEL", id, ns, "eth0", conf());
        assertThat(del.rc()).as(del.toString()).isZero();
        assertNothingLeft(id);
    }
}
