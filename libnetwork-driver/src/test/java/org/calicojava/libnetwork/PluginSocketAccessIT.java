package org.calicojava.libnetwork;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.calicojava.model.Keys;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.SocketAccess;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Local users and the plugin socket (issue 22): the socket is 0660 root:GROUP, and a peer that is neither root nor in
 * the group is refused by its credentials (SO_PEERCRED) even when the file mode would let it in. The other user is
 * uid 65534 through {@code setpriv}; its request is sent with {@code nc -U}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PluginSocketAccessIT {
    final String ns = "cj-lna-"
            + Integer.toHexString(0x10000 + ThreadLocalRandom.current().nextInt(0xeffff));
    final Keys keys = new Keys("/cj-test-" + UUID.randomUUID());
    JetcdStore store;
    NetlinkDataplane dataplane;
    Path dir;
    final List<PluginServer> servers = new ArrayList<>();

    @BeforeAll
    void setUp() throws Exception {
        Sh.require("setpriv", "nc");
        String etcd = System.getenv("ETCD_ENDPOINTS");
        assertThat(etcd)
                .as("ETCD_ENDPOINTS (start etcd with scripts/lib/etcd.sh)")
                .isNotBlank();
        store = new JetcdStore(EtcdConfig.of(etcd));
        NetNs.create(ns);
        dataplane = new NetlinkDataplane(ns);
        dir = Files.createTempDirectory("cj-lna");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // others may reach the file
    }

    @AfterAll
    void tearDown() throws Exception {
        try {
            servers.forEach(PluginServer::close);
            if (dataplane != null) {
                dataplane.close();
            }
        } finally {
            if (NetNs.exists(ns)) {
                NetNs.delete(ns);
            }
            if (store != null) {
                store.deletePrefix(keys.root() + "/");
                store.close();
            }
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    PluginServer server(String name, String group) throws Exception {
        PluginServer s = new PluginServer(
                dir.resolve(name),
                new Plugin(new NetworkDriver(store, keys, "h", dataplane), new IpamDriver(store, keys, "h")),
                new SocketAccess(group));
        servers.add(s);
        return s;
    }

    /** DeleteNetwork of {@code net} sent as uid 65534, gid {@code gid}, no supplementary groups; nc's output. */
    Sh.Result deleteAsNobody(Path socket, String gid, String net) {
        String body = "{\"NetworkID\":\"" + net + "\"}";
        String req = "POST /NetworkDriver.DeleteNetwork HTTP/1.1\r\nHost: plugin\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body;
        // stdin stays open until the answer is in (Docker does not half-close either; the server closes: Connection:
        // close)
        return Sh.run(
                        List.of(
                                "sh",
                                "-c",
                                "{ printf '%s' \"$0\"; sleep 3; } | setpriv --reuid 65534 --regid " + gid
                                        + " --clear-groups nc -U " + socket,
                                req),
                        20)
                .trimmed();
    }

    @Test
    void socketIsRootOnlyAndOthersAreRefusedByCredentials() throws Exception {
        PluginServer s = server("root.sock", null);
        assertThat(Files.getPosixFilePermissions(s.socket())).isEqualTo(PosixFilePermissions.fromString("rw-rw----"));
        assertThat(Files.getAttribute(s.socket(), "unix:gid")).isEqualTo(0);
        String net = PluginFixture.dockerId();
        store.put(keys.profileRules(net), "{}");

        Sh.Result byMode = deleteAsNobody(s.socket(), "65534", net);
        assertThat(byMode.out() + byMode.err())
                .as("connect as uid 65534 to a 0660 root socket")
                .doesNotContain("HTTP/1.1 200")
                .containsIgnoringCase("permission denied");

        // as if the mode were wrong (a umask race or a hand chmod): the peer credentials still decide
        Files.setPosixFilePermissions(s.socket(), PosixFilePermissions.fromString("rw-rw-rw-"));
        Sh.Result byCreds = deleteAsNobody(s.socket(), "65534", net);
        assertThat(byCreds.out())
                .as(byCreds.toString())
                .startsWith("HTTP/1.1 403")
                .contains("{\"Err\":\"permission denied: uid 65534");
        assertThat(store.get(keys.profileRules(net)))
                .as("the refused DeleteNetwork deleted nothing")
                .isPresent();
    }

    @Test
    void membersOfTheSocketGroupMayUseIt() throws Exception {
        PluginServer s = server("group.sock", "nogroup");
        assertThat(Files.getAttribute(s.socket(), "unix:gid")).isEqualTo(65534);
        String net = PluginFixture.dockerId();
        store.put(keys.profileRules(net), "{}");
        Sh.Result member = deleteAsNobody(s.socket(), "65534", net);
        assertThat(member.out()).as(member.toString()).startsWith("HTTP/1.1 200");
        assertThat(store.get(keys.profileRules(net))).isEmpty();
    }
}
