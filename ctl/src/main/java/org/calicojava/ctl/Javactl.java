package org.calicojava.ctl;

import java.io.PrintWriter;
import org.calicojava.model.Keys;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.GatewayStore;
import org.calicojava.store.KvStore;
import org.calicojava.store.cli.EtcdOptions;
import org.calicojava.store.cli.EtcdSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The root command: global etcd options (usable before or after any subcommand) and the store they open. */
@Command(
        name = "javactl",
        mixinStandardHelpOptions = false,
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
        COMMANDS.put("policy", PolicyCommand::new);
        COMMANDS.put("node", NodeCommand::new);
        COMMANDS.put("bgp", BgpCommand::new);
        COMMANDS.put("ipam", IpamCommand::new);
        COMMANDS.put("endpoint", EndpointCommand::new);
        COMMANDS.put("container", ContainerCommand::new);
        COMMANDS.put("config", ConfigCommand::new);
        COMMANDS.put("status", NodeStatus::new);
        COMMANDS.put("apply", org.calicojava.ctl.resource.ApplyCommands.Apply::new);
        COMMANDS.put("create", org.calicojava.ctl.resource.ApplyCommands.Create::new);
        COMMANDS.put("replace", org.calicojava.ctl.resource.ApplyCommands.Replace::new);
        COMMANDS.put("delete", org.calicojava.ctl.resource.ApplyCommands.Delete::new);
        COMMANDS.put("get", org.calicojava.ctl.resource.GetCommand::new);
        OpsCommands.addTo(COMMANDS); // checksystem, diags, graph (issue 18)
        COMMANDS.put("version", VersionCommand::new);
        COMMANDS.put("serve", ServeCommand::new);
        COMMANDS.put("completion", CompletionCommand::new);
    }

    /** Options of the root that take a value (to find the command word after them). */
    static final java.util.Set<String> VALUE_OPTIONS = java.util.Set.copyOf(EtcdOptions.OPTION_NAMES);

    /** The etcd options (shared with the daemons), usable before or after any subcommand. */
    @CommandLine.Mixin
    EtcdOptions etcd = new EtcdOptions();

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            scope = CommandLine.ScopeType.INHERIT,
            description = "show this help")
    boolean help;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private KvStore store;
    private EtcdSettings settings;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The etcd settings: flags over environment over defaults, resolved once (a bad option is exit 2). */
    EtcdSettings settings() {
        if (settings == null) {
            settings = etcd.resolve(CallContext.current().env());
        }
        return settings;
    }

    EtcdConfig etcdConfig() {
        return settings().etcd();
    }

    /** The store, opened on first use (one-shot commands use etcd's light JSON gateway). */
    KvStore store() {
        if (store == null) {
            store = new GatewayStore(etcdConfig());
        }
        return store;
    }

    Keys keys() {
        return new Keys(settings().prefix());
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
