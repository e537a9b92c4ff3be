package org.calicojava.ctl;

import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calicojava.model.IpPool;
import org.calicojava.model.Keys;
import org.calicojava.store.GatewayStore;
import org.calicojava.store.KvStore;
import org.calicojava.store.cli.EtcdOptions;
import org.calicojava.store.cli.EtcdOptionsException;
import org.calicojava.store.cli.EtcdSettings;

/**
 * The one-shot read commands an operator runs most, without picocli: {@code version}, {@code pool show [--ipv4|
 * --ipv6] [-o table]} and {@code node show [-o table]}, with the etcd options before or after the command words.
 * picocli builds each command's model by reflection over its annotations (dynamic proxies that class-data sharing
 * cannot archive): about 85 ms of a 300 ms command, measured. A command line is taken here only when every word of it
 * is understood; anything else (help, another command or format, an option given twice, a missing value, an @FILE)
 * returns {@link #NOT_HERE} having printed nothing, and picocli runs it as before. The commands' own code does the work
 * (the same output, errors and exit codes as through picocli: FastPathIT compares them). {@code -Djavactl.timing}
 * prints each step's time on stderr.
 */
final class FastPath {
    /** The command line is not one this class takes. */
    static final int NOT_HERE = -1;

    private static final boolean TIMING = System.getProperty("javactl.timing") != null;
    private static long last = System.nanoTime();

    private FastPath() {}

    static int run(String[] args, PrintWriter out, PrintWriter err) {
        EtcdOptions etcd = new EtcdOptions();
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("@")) {
                return NOT_HERE; // picocli reads @FILE as more arguments, wherever it stands
            }
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            if (EtcdOptions.OPTION_NAMES.contains(name)) {
                if (value == null) {
                    if (i + 1 == args.length || args[i + 1].startsWith("-") || args[i + 1].startsWith("@")) {
                        return NOT_HERE;
                    }
                    value = args[++i];
                }
                if (!setEtcdOption(etcd, name, value)) {
                    return NOT_HERE;
                }
            } else {
                words.add(a);
            }
        }
        if (words.equals(List.of("version"))) {
            VersionCommand.print(out);
            return 0;
        }
        boolean node =
                words.size() >= 2 && words.get(0).equals("node") && words.get(1).equals("show");
        if (!node
                && (words.size() < 2
                        || !words.get(0).equals("pool")
                        || !words.get(1).equals("show"))) {
            return NOT_HERE;
        }
        int version = 0;
        boolean format = false;
        for (int i = 2; i < words.size(); i++) {
            String w = words.get(i);
            if (!node && (w.equals("--ipv4") || w.equals("--ipv6")) && version == 0) {
                version = w.equals("--ipv4") ? 4 : 6;
            } else if (format) {
                return NOT_HERE; // picocli refuses -o given twice
            } else if (w.equals("-otable") || w.equals("--output=table")) {
                format = true;
            } else if ((w.equals("-o") || w.equals("--output"))
                    && i + 1 < words.size()
                    && words.get(i + 1).equalsIgnoreCase("table")) {
                format = true;
                i++;
            } else {
                return NOT_HERE; // json, yaml (databind's output), anything else: picocli
            }
        }
        step("command line");
        if (!node) {
            warmUp();
        }
        return show(etcd, node, version, out, err);
    }

    /** {@code node show}, or {@code pool show} of IP version {@code version} (0: both). */
    private static int show(EtcdOptions etcd, boolean node, int version, PrintWriter out, PrintWriter err) {
        EtcdSettings settings;
        try {
            settings = etcd.resolve(CallContext.current().env());
        } catch (EtcdOptionsException e) {
            err.println("Error: " + e.getMessage()); // a usage error, as Main's execution strategy says it
            return 2;
        }
        step("etcd settings");
        KvStore store = null;
        try {
            store = new GatewayStore(settings.etcd());
            if (node) {
                NodeCommand.Show.print(store, new Keys(settings.prefix()), out, "table");
            } else {
                PoolCommand.Show.print(store, new Keys(settings.prefix()), version, out, "table");
            }
            step("show");
            return 0;
        } catch (RuntimeException e) { // as Main's execution exception handler
            err.println("Error: " + Main.message(e));
            return e instanceof EtcdOptionsException ? 2 : 1;
        } finally {
            if (store != null) {
                store.close();
            }
        }
    }

    /**
     * On the second core, while this thread connects to etcd and sends the request (the JDK's socket set-up is the
     * largest step): the classes that read the answer and print the table, through a sample pool.
     */
    private static void warmUp() {
        Thread t = new Thread(
                new Runnable() { // (not a lambda: see EtcdConfig.anyHttps)
                    @Override
                    public void run() {
                        try {
                            IpPool p = IpPool.read(
                                    "{\"cidr\":\"10.0.0.0/16\",\"ipip\":true,\"ipip_mode\":\"always\","
                                            + "\"vxlan_mode\":\"never\",\"masquerade\":false,\"disabled\":false,\"block_size\":26}");
                            new Table("A").row(p.cidr()).print(new PrintWriter(java.io.Writer.nullWriter()), "table");
                        } catch (RuntimeException e) {
                            // only a warm-up
                        }
                    }
                },
                "warm-up");
        t.setDaemon(true);
        t.start();
    }

    /** Sets one etcd option as picocli would; false for one given twice (picocli refuses that) or a bad path. */
    private static boolean setEtcdOption(EtcdOptions o, String name, String value) {
        try {
            switch (name) {
                case "--etcd-endpoints" -> o.endpoints = once(o.endpoints, value);
                case "--etcd-ca-cert" -> o.ca = once(o.ca, Path.of(value));
                case "--etcd-cert" -> o.cert = once(o.cert, Path.of(value));
                case "--etcd-key" -> o.key = once(o.key, Path.of(value));
                case "--etcd-username" -> o.username = once(o.username, value);
                case "--etcd-password" -> o.password = once(o.password, value);
                case "--etcd-password-file" -> o.passwordFile = once(o.passwordFile, Path.of(value));
                case "--etcd-prefix" -> o.prefix = once(o.prefix, value);
                default -> {
                    return false;
                }
            }
            return true;
        } catch (InvalidPathException | IllegalStateException e) {
            return false;
        }
    }

    private static <T> T once(T current, T value) {
        if (current != null) {
            throw new IllegalStateException("given twice");
        }
        return value;
    }

    /** With {@code -Djavactl.timing}: the time since the previous step (or the class's loading) on stderr. */
    static void step(String what) {
        if (TIMING) {
            long now = System.nanoTime();
            // (no printf: java.util.Formatter's locale data costs more than the steps measured)
            System.err.println(new StringBuilder("javactl timing: ")
                    .append(what)
                    .append(' ')
                    .append((now - last) / 1000)
                    .append(" us"));
            last = now;
        }
    }
}
