package org.calicojava.libnetwork;

import org.calicojava.model.Keys;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code calico-java-libnetwork --hostname NAME [--socket PATH]}: serves Docker's plugin API until stopped. */
@Command(name = "calico-java-libnetwork", mixinStandardHelpOptions = true, version = "calico-java-libnetwork 0.1.0",
        description = "Docker network and IPAM driver 'calico-java': docker network create -d calico-java "
                + "--ipam-driver calico-java NAME")
public final class Main implements Callable<Integer> {
    public static final String DEFAULT_SOCKET = "/run/docker/plugins/calico-java.sock";

    @Option(names = "--hostname", paramLabel = "NAME", description = "This host's name in etcd (default: $HOSTNAME)")
    String hostname;
    @Option(names = "--socket", paramLabel = "PATH", description = "Unix socket to serve (default: " + DEFAULT_SOCKET
            + "; Docker finds plugins by socket name in /run/docker/plugins)")
    Path socket = Path.of(DEFAULT_SOCKET);
    @Option(names = "--socket-group", paramLabel = "GROUP", description = "Group that may use the socket besides root "
            + "(mode 0660, peer credentials checked; default: root only)")
    String socketGroup;
    @Option(names = "--netns", paramLabel = "NAME", description = "Create veths in /var/run/netns/NAME instead of "
            + "this process's namespace (where dockerd runs)")
    String netns;
    @Option(names = "--scope", paramLabel = "local|global", description = "Network scope announced to Docker "
            + "(default: local; global needs a swarm manager on Docker 20.10+)")
    String scope = "local";
    @Option(names = "--etcd-endpoints", paramLabel = "URLS", description = "Comma-separated etcd URLs (default: $ETCD_ENDPOINTS or http://127.0.0.1:2379)")
    String endpoints;
    @Option(names = "--etcd-ca-cert", paramLabel = "FILE", description = "CA certificate (default: $ETCD_CA_CERT_FILE)")
    Path ca;
    @Option(names = "--etcd-cert", paramLabel = "FILE", description = "Client certificate (default: $ETCD_CERT_FILE)")
    Path cert;
    @Option(names = "--etcd-key", paramLabel = "FILE", description = "Client key, PKCS#8 PEM (default: $ETCD_KEY_FILE)")
    Path key;
    @Option(names = "--etcd-username", paramLabel = "USER", description = "etcd user (default: $ETCD_USERNAME)")
    String username;
    @Option(names = "--etcd-password", paramLabel = "PASS", description = "etcd password (default: $ETCD_PASSWORD)")
    String password;
    @Option(names = "--etcd-prefix", paramLabel = "PATH", hidden = true, description = "Root of the key layout "
            + "(default: $CALICO_ETCD_PREFIX or /calico)")
    String prefix;

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, c, r) -> {
            c.getErr().println("calico-java-libnetwork: " + e.getMessage());
            return 1;
        });
        System.exit(cl.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = System.getenv();
        String host = hostname != null ? hostname : env.get("HOSTNAME");
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("--hostname: missing (expected: this host's name in etcd)");
        }
        Keys keys = new Keys(prefix != null ? prefix : env.get("CALICO_ETCD_PREFIX"));
        keys.host(host); // validates the name
        EtcdConfig e = EtcdConfig.fromEnv(env);
        EtcdConfig cfg = new EtcdConfig(endpoints != null ? EtcdConfig.parseEndpoints(endpoints) : e.endpoints(),
                ca != null ? ca : e.caFile(), cert != null ? cert : e.certFile(), key != null ? key : e.keyFile(),
                username != null ? username : e.username(), password != null ? password : e.password(), null);
        JetcdStore store = new JetcdStore(cfg);
        Dataplane dataplane = new NetlinkDataplane(netns);
        Plugin plugin = new Plugin(new NetworkDriver(store, keys, host, dataplane, scope), new IpamDriver(store, keys, host));
        PluginServer server = new PluginServer(socket, plugin, new org.calicojava.netlink.SocketAccess(socketGroup));
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            dataplane.close();
            store.close();
            done.countDown();
        }, "libnetwork-shutdown"));
        org.slf4j.LoggerFactory.getLogger(Main.class).info("calico-java libnetwork driver for host {} (etcd {})",
                host, cfg.describe());
        done.await();
        return 0;
    }
}
