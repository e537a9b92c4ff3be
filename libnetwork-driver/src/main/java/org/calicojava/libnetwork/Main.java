package org.calicojava.libnetwork;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.calicojava.model.Keys;
import org.calicojava.model.LogText;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.calicojava.store.cli.EtcdOptions;
import org.calicojava.store.cli.EtcdOptionsException;
import org.calicojava.store.cli.EtcdSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code calico-java-libnetwork --hostname NAME [--socket PATH]}: serves Docker's plugin API until stopped. */
@Command(
        name = "calico-java-libnetwork",
        mixinStandardHelpOptions = true,
        version = "calico-java-libnetwork 0.1.0",
        description = "Docker network and IPAM driver 'calico-java': docker network create -d calico-java "
                + "--ipam-driver calico-java NAME")
public final class Main implements Callable<Integer> {
    public static final String DEFAULT_SOCKET = "/run/docker/plugins/calico-java.sock";

    @Option(names = "--hostname", paramLabel = "NAME", description = "This host's name in etcd (default: $HOSTNAME)")
    String hostname;

    @Option(
            names = "--socket",
            paramLabel = "PATH",
            description = "Unix socket to serve (default: " + DEFAULT_SOCKET
                    + "; Docker finds plugins by socket name in /run/docker/plugins)")
    Path socket = Path.of(DEFAULT_SOCKET);

    @Option(
            names = "--socket-group",
            paramLabel = "GROUP",
            description = "Group that may use the socket besides root "
                    + "(mode 0660, peer credentials checked; default: root only)")
    String socketGroup;

    @Option(
            names = "--netns",
            paramLabel = "NAME",
            description =
                    "Create veths in /var/run/netns/NAME instead of " + "this process's namespace (where dockerd runs)")
    String netns;

    @Option(
            names = "--scope",
            paramLabel = "local|global",
            description = "Network scope announced to Docker "
                    + "(default: local; global needs a swarm manager on Docker 20.10+)")
    String scope = "local";

    @Mixin
    EtcdOptions etcd = new EtcdOptions();

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, c, r) -> {
            c.getErr().println("calico-java-libnetwork: " + e.getMessage());
            return e instanceof EtcdOptionsException ? 2 : 1;
        });
        System.exit(cl.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = System.getenv();
        EtcdSettings settings = etcd.resolve(env);
        EtcdConfig cfg = settings.etcd();
        String host = hostname != null ? hostname : env.get("HOSTNAME");
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("--hostname: missing (expected: this host's name in etcd)");
        }
        Keys keys = new Keys(settings.prefix());
        keys.host(host); // validates the name
        JetcdStore store = new JetcdStore(cfg);
        Dataplane dataplane = new NetlinkDataplane(netns);
        NetworkDriver driver = new NetworkDriver(store, keys, host, dataplane, scope);
        adoptUntaggedVeths(driver);
        Plugin plugin = new Plugin(driver, new IpamDriver(store, keys, host));
        PluginServer server = new PluginServer(socket, plugin, new org.calicojava.netlink.SocketAccess(socketGroup));
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close();
                            dataplane.close();
                            store.close();
                            done.countDown();
                        },
                        "libnetwork-shutdown"));
        org.slf4j.LoggerFactory.getLogger(Main.class)
                .info("calico-java libnetwork driver for host {} (etcd {})", host, cfg.describe());
        done.await();
        return 0;
    }

    /**
     * Before serving: tags the veths an older driver made (see {@link PreUpgradeVeths}). When etcd or the kernel fails,
     * the driver serves anyway and retries every 30 s until one pass succeeds; that is safe, since which records are
     * old enough is fixed by the marker's revision in etcd, not by when the pass runs.
     */
    static void adoptUntaggedVeths(NetworkDriver driver) {
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Main.class);
        try {
            driver.adoptUntaggedVeths();
            return;
        } catch (RuntimeException e) {
            log.warn(
                    "veth tags: adopting older veths failed, retrying every 30 s: {}", LogText.oneLine(e.getMessage()));
        }
        Thread retry = new Thread(
                () -> {
                    String last = null;
                    while (true) {
                        try {
                            Thread.sleep(30_000);
                            driver.adoptUntaggedVeths();
                            return;
                        } catch (InterruptedException e) {
                            return;
                        } catch (Error e) { // not retried: said in one line, as the requests' errors are
                            log.error("veth tags: retries stopped: {}", LogText.oneLine(String.valueOf(e)));
                            return;
                        } catch (RuntimeException e) {
                            String why = LogText.oneLine(e.getMessage());
                            if (!why.equals(last)) { // a new reason is worth a line; the same one again is not
                                log.warn("veth tags: retry failed: {}", why);
                            } else {
                                log.debug("veth tags: retry failed again: {}", why);
                            }
                            last = why;
                        }
                    }
                },
                "libnetwork-veth-tags");
        retry.setDaemon(true);
        retry.start();
    }
}
