package org.calicojava.ctl;

import java.io.PrintWriter;
import org.calicojava.ipam.IpamException;
import org.calicojava.store.DatastoreException;
import org.calicojava.store.cli.EtcdOptionsException;
import picocli.CommandLine;

/**
 * Entry point. Errors the user can act on (bad input, etcd unreachable, IPAM refusals) print one line on stderr and
 * exit 1; usage errors print one line and a hint, exit 2. Nothing is written when validation fails, because every
 * command validates its input before its first write.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals(CdsTraining.FLAG)) {
            System.exit(CdsTraining.run());
        }
        if (args.length == 1 && args[0].equals(CdsTraining.FAST_FLAG)) {
            System.exit(CdsTraining.runFast());
        }
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int fast = FastPath.run(args, out, err);
        if (fast != FastPath.NOT_HERE) {
            System.exit(fast);
        }
        if (usesJson(args)) {
            warmUpInBackground();
        }
        System.exit(runPicocli(args, out, err));
    }

    /** Runs a command line: through {@link FastPath} when it takes it, else picocli. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        int fast = FastPath.run(args, out, err);
        return fast != FastPath.NOT_HERE ? fast : runPicocli(args, out, err);
    }

    /** Runs a command line through picocli's model of every command (what FastPath's answers are compared with). */
    static int runPicocli(String[] args, PrintWriter out, PrintWriter err) {
        Javactl root = new Javactl();
        CommandLine cl = new CommandLine(root);
        String word = commandWord(args);
        if (word != null && Javactl.COMMANDS.containsKey(word)) {
            cl.addSubcommand(word, Javactl.COMMANDS.get(word).get());
        } else {
            Javactl.COMMANDS.forEach((name, make) -> cl.addSubcommand(name, make.get()));
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            if (ex instanceof CommandLine.UnmatchedArgumentException u
                    && !u.getUnmatched().isEmpty()) {
                err.println("Error: unknown command or argument '"
                        + u.getUnmatched().get(0) + "'");
            } else {
                err.println("Error: " + ex.getMessage());
            }
            err.println("Usage: " + c.getCommandSpec().qualifiedName() + " --help");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            err.println("Error: " + message(ex));
            return ex instanceof EtcdOptionsException ? 2 : 1;
        });
        cl.setExecutionStrategy(parsed -> {
            if (needsEtcd(parsed)) {
                try {
                    root.settings(); // bad etcd options are a usage error of every command that may talk to etcd
                } catch (EtcdOptionsException e) {
                    err.println("Error: " + e.getMessage());
                    return 2;
                }
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        try {
            return cl.execute(args);
        } finally {
            root.close();
        }
    }

    /**
     * Jackson's set-up (mapper, record introspection) costs a one-shot command about as much as picocli's; on a
     * second core it runs while picocli parses the command line.
     */
    static void warmUpInBackground() {
        Thread t = new Thread(
                () -> {
                    try {
                        org.calicojava.model.Json.read("{\"cidr\":\"10.0.0.0/16\"}", org.calicojava.model.IpPool.class);
                        org.calicojava.model.Json.MAPPER.readTree("{\"a\":[1]}");
                    } catch (Exception ignored) {
                        // only a warm-up
                    }
                },
                "warm-up");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Whether the command line may read or write JSON (so Jackson's warm-up pays): not help, version, completion.
     * The warm-up loads about 540 classes; on a loaded machine its CPU is taken from the command itself.
     */
    static boolean usesJson(String[] args) {
        String word = commandWord(args);
        if (word == null || word.equals("version") || word.equals("completion") || word.equals("help")) {
            return false;
        }
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help")) {
                return false;
            }
        }
        return true;
    }

    /** Whether the command may talk to etcd: all but help, version and completion. */
    static boolean needsEtcd(CommandLine.ParseResult parsed) {
        for (CommandLine c : parsed.asCommandLineList()) {
            if (c.isUsageHelpRequested()) {
                return false;
            }
        }
        Object leaf = parsed.asCommandLineList()
                .get(parsed.asCommandLineList().size() - 1)
                .getCommand();
        return !(leaf instanceof VersionCommand
                || leaf instanceof CompletionCommand
                || leaf instanceof ServeCommand
                || leaf instanceof Javactl);
    }

    /** The first word that is not a root option or its value: the command. */
    static String commandWord(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (Javactl.VALUE_OPTIONS.contains(a)) {
                i++;
            } else if (!a.startsWith("-")) {
                return a;
            }
        }
        return null;
    }

    static String message(Throwable ex) {
        if (ex instanceof DatastoreException
                || ex instanceof IllegalArgumentException
                || ex instanceof IpamException
                || ex instanceof UserException) {
            return ex.getMessage();
        }
        return ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage());
    }
}
