package org.calicojava.felix;

import org.calicojava.felix.agent.Agent;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.model.Keys;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code felix-agent --hostname NAME}: programs the network namespace it runs in from etcd until stopped. */
@Command(name = "felix-agent", mixinStandardHelpOptions = true, version = "felix-agent 0.1.0",
        description = "Programs workload routes and iptables/ipset policy of this host from etcd. Other settings "
                + "come from FELIX_<NAME> environment variables and /calico/v1/config/<Name> keys.")
public final class Main implements Callable<Integer> {
    @Option(names = "--hostname", paramLabel = "NAME", description = "This host's name in etcd (default: $HOSTNAME or"
            + " $FELIX_FELIXHOSTNAME)")
    String hostname;
    @Option(names = "--etcd-endpoints", paramLabel = "URLS", description = "Comma-separated etcd URLs (default: $ETCD_ENDPOINTS or http://127.0.0.1:2379)")
    String endpoints;
    @Option(names = "--etcd-ca-cert", paramLabel = "FILE", description = "CA certificate (default: $ETCD_CA_CERT_FILE)")
    Path ca;
    @Option(names = "--etcd-cert", paramLabel = "FILE", description = "Client certificate (default: $ETCD_CERT_FILE)")
    Path cert;
    @Option(names = "--etcd-key", paramLabel = "FILE", description = "Client key (default: $ETCD_KEY_FILE)")
    Path key;
    @Option(names = "--etcd-username", paramLabel = "USER", description = "etcd user (default: $ETCD_USERNAME)")
    String username;
    @Option(names = "--etcd-password", paramLabel = "PASS", description = "etcd password (default: $ETCD_PASSWORD)")
    String password;
    @Option(names = "--etcd-prefix", paramLabel = "PATH", hidden = true, description = "Root of the key layout")
    String prefix;

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, c, r) -> {
            c.getErr().println("felix-agent: " + e.getMessage());
            return 1;
        });
        System.exit(cl.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = System.getenv();
        String host = hostname != null ? hostname : env.getOrDefault("FELIX_FELIXHOSTNAME", env.get("HOSTNAME"));
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("--hostname: missing (expected: this host's name)");
        }
        EtcdConfig e = EtcdConfig.fromEnv(env);
        EtcdConfig cfg = new EtcdConfig(endpoints != null ? EtcdConfig.parseEndpoints(endpoints) : e.endpoints(),
                ca != null ? ca : e.caFile(), cert != null ? cert : e.certFile(), key != null ? key : e.keyFile(),
                username != null ? username : e.username(), password != null ? password : e.password(), null);
        Keys keys = new Keys(prefix);
        keys.host(host); // validates the name
        Map<String, String> felixEnv = new HashMap<>(env);
        JetcdStore store = new JetcdStore(cfg);
        Agent agent = new Agent(store, keys, host, felixEnv, Namespace.current(), code -> {
            Thread t = new Thread(() -> System.exit(code), "felix-exit"); // not on the dataplane thread: the
            t.start();                                                    // shutdown hook waits for it to end
        });
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            store.close();
            done.countDown();
        }, "felix-shutdown"));
        agent.start();
        done.await();
        return 0;
    }
}
