package org.calicojava.felix;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.calicojava.felix.agent.Agent;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.model.Keys;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.calicojava.store.cli.EtcdOptions;
import org.calicojava.store.cli.EtcdOptionsException;
import org.calicojava.store.cli.EtcdSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code felix-agent --hostname NAME}: programs the network namespace it runs in from etcd until stopped. */
@Command(
        name = "felix-agent",
        mixinStandardHelpOptions = true,
        version = "felix-agent 0.1.0",
        description = "Programs workload routes and iptables/ipset policy of this host from etcd. Other settings "
                + "come from FELIX_<NAME> environment variables and /calico/v1/config/<Name> keys.")
public final class Main implements Callable<Integer> {
    @Option(
            names = "--hostname",
            paramLabel = "NAME",
            description = "This host's name in etcd (default: $HOSTNAME or" + " $FELIX_FELIXHOSTNAME)")
    String hostname;

    @Mixin
    EtcdOptions etcd = new EtcdOptions();

    public static void main(String[] args) {
        // Netty's buffer events for Java Flight Recorder: registering them starts JFR's event machinery on the first
        // pooled buffer, about 60 ms of every start (with the class-data archive; measured), for events that matter
        // only to a recording. -Dio.netty.jfr.enabled=true (FELIX_JAVA_EXTRA_OPTS) turns them back on.
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, c, r) -> {
            c.getErr().println("felix-agent: " + e.getMessage());
            return e instanceof EtcdOptionsException ? 2 : 1;
        });
        System.exit(cl.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = System.getenv();
        EtcdSettings settings = etcd.resolve(env);
        EtcdConfig cfg = settings.etcd();
        String host = hostname != null ? hostname : env.getOrDefault("FELIX_FELIXHOSTNAME", env.get("HOSTNAME"));
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("--hostname: missing (expected: this host's name)");
        }
        Keys keys = new Keys(settings.prefix());
        keys.host(host); // validates the name
        Map<String, String> felixEnv = new HashMap<>(env);
        JetcdStore store = new JetcdStore(cfg);
        connectAhead(store, keys.host(host)); // any key would do: the answer is not used
        Agent agent = new Agent(store, keys, host, felixEnv, Namespace.current(), code -> {
            Thread t = new Thread(() -> System.exit(code), "felix-exit"); // not on the dataplane thread: the
            t.start(); // shutdown hook waits for it to end
        });
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            agent.close();
                            store.close();
                            done.countDown();
                        },
                        "felix-shutdown"));
        agent.start();
        done.await();
        return 0;
    }

    /**
     * Makes the etcd client's first request (in a fresh JVM: gRPC, Netty and protobuf starting, the connection
     * opening) on a thread of its own while the agent sets up, instead of in front of its initial listing. The answer
     * is not used; a failure is left to the listing, which reports and retries.
     */
    private static void connectAhead(JetcdStore store, String key) {
        Thread t = new Thread(
                () -> {
                    try {
                        store.get(key);
                    } catch (RuntimeException e) {
                        // the initial sync's listing meets the same problem and reports it
                    }
                },
                "felix-etcd-connect");
        t.setDaemon(true);
        t.start();
    }
}
