package org.calicojava.ctl;

import org.calicojava.model.Keys;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.GatewayStore;
import org.calicojava.store.KvStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;

/** The root command: global etcd options (usable before or after any subcommand) and the store they open. */
@Command(name = "javactl", mixinStandardHelpOptions = false,
        description = "Operate a calico-java network: pools, profiles, nodes, BGP, IPAM, endpoints, config.")
public final class Javactl implements Runnable {
    /**
     * The top-level commands, in help order. Main registers only the one named on the command line (picocli builds a
     * command's model by reflection, so a one-shot command should not pay for the whole tree); help gets them all.
     */
    static final java.util.Map<String, java.util.function.Supplier<Object>> COMMANDS = new java.util.LinkedHashMap<>();

    static {
        COMMANDS.put("pool", PoolCommand::new);
        COMMANDS.put("profile", ProfileCommand::new);
        COMMANDS.put("node", NodeCommand::new);
        COMMANDS.put("bgp", BgpCommand::new);
        COMMANDS.put("ipam", IpamCommand::new);
        COMMANDS.put("endpoint", EndpointCommand::new);
        COMMANDS.put("container", ContainerCommand::new);
        COMMANDS.put("config", ConfigCommand::new);
        COMMANDS.put("status", NodeStatus::new);
        COMMANDS.put("version", VersionCommand::new);
        COMMANDS.put("completion", CompletionCommand::new);
    }

    /** Options of the root that take a value (to find the command word after them). */
    static final java.util.Set<String> VALUE_OPTIONS = java.util.Set.of("--etcd-endpoints", "--etcd-ca-cert",
            "--etcd-cert", "--etcd-key", "--etcd-username", "--etcd-password", "--etcd-prefix");

    @Option(names = "--etcd-endpoints", scope = CommandLine.ScopeType.INHERIT, paramLabel = "URLS",
            description = "etcd endpoints, comma separated (env ETCD_ENDPOINTS; default http://127.0.0.1:2379)")
    String endpoints;
    @Option(names = "--etcd-ca-cert", scope = CommandLine.ScopeType.INHERIT, paramLabel = "FILE",
            description = "CA certificate for etcd TLS (env ETCD_CA_CERT_FILE)")
    Path ca;
    @Option(names = "--etcd-cert", scope = CommandLine.ScopeType.INHERIT, paramLabel = "FILE",
            description = "client certificate for etcd TLS (env ETCD_CERT_FILE)")
    Path cert;
    @Option(names = "--etcd-key", scope = CommandLine.ScopeType.INHERIT, paramLabel = "FILE",
            description = "client key (PKCS#8 PEM) for etcd TLS (env ETCD_KEY_FILE)")
    Path key;
    @Option(names = "--etcd-username", scope = CommandLine.ScopeType.INHERIT, paramLabel = "USER",
            description = "etcd user (env ETCD_USERNAME)")
    String username;
    @Option(names = "--etcd-password", scope = CommandLine.ScopeType.INHERIT, paramLabel = "PASS",
            description = "etcd password (env ETCD_PASSWORD)")
    String password;
    @Option(names = "--etcd-prefix", scope = CommandLine.ScopeType.INHERIT, paramLabel = "PATH", hidden = true,
            description = "root of calico-java's keys in etcd (env CALICO_ETCD_PREFIX; default /calico)")
    String prefix;
    @Option(names = {"-h", "--help"}, usageHelp = true, scope = CommandLine.ScopeType.INHERIT,
            description = "show this help")
    boolean help;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private KvStore store;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static String env(String name) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? null : v;
    }

    private static Path envPath(String name) {
        String v = env(name);
        return v == null ? null : Path.of(v);
    }

    EtcdConfig etcdConfig() {
        return new EtcdConfig(EtcdConfig.parseEndpoints(endpoints != null ? endpoints : env("ETCD_ENDPOINTS")),
                ca != null ? ca : envPath("ETCD_CA_CERT_FILE"), cert != null ? cert : envPath("ETCD_CERT_FILE"),
                key != null ? key : envPath("ETCD_KEY_FILE"), username != null ? username : env("ETCD_USERNAME"),
                password != null ? password : env("ETCD_PASSWORD"), Duration.ofSeconds(4));
    }

    /** The store, opened on first use (one-shot commands use etcd's light JSON gateway). */
    KvStore store() {
        if (store == null) {
            store = new GatewayStore(etcdConfig());
        }
        return store;
    }

    Keys keys() {
        return new Keys(prefix != null ? prefix : env("CALICO_ETCD_PREFIX"));
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    void close() {
        if (store != null) {
            store.close();
        }
    }
}
