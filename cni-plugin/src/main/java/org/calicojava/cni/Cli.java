package org.calicojava.cni;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * One plugin process: reads CNI_* from the environment and the configuration from stdin, runs the command, writes the
 * result (or the CNI error JSON) on stdout and one log line per event on stderr. Returns the exit status. ADD, DEL and
 * CHECK hold the attachment's {@link AttachmentLock}. Whatever is thrown (an Error too) is answered as a CNI error.
 */
final class Cli {
    /** Which plugin this process is. */
    enum Kind {
        NETWORK,
        IPAM
    }

    private Cli() {}

    static int run(Kind kind, Map<String, String> processEnv, InputStream in, PrintStream out, PrintStream err) {
        String version = Versions.CURRENT;
        CniEnv env = null;
        try {
            env = CniEnv.from(processEnv);
            byte[] stdin = readStdin(in, env.command());
            String asked = NetConf.versionOf(stdin);
            if (Versions.SUPPORTED.contains(asked)) {
                version = asked;
            }
            if (env.command().equals("VERSION")) {
                out.println(Versions.versionResult(asked));
                return 0;
            }
            boolean lifecycle = env.command().equals("STATUS") || env.command().equals("GC");
            if (lifecycle && !Versions.hasLifecycle(asked)) {
                throw new CniException(
                        CniException.INCOMPATIBLE_VERSION,
                        env.command() + " is a cniVersion 1.1.0 " + "command (config: "
                                + (asked.isEmpty() ? "none" : asked) + ")");
            }
            NetConf conf;
            try {
                conf = NetConf.parse(stdin);
            } catch (IllegalArgumentException e) {
                throw NetConf.invalid(e.getMessage());
            }
            logLevel(conf.logLevel());
            boolean attachment = !lifecycle;
            try (Context c = new Context(env, conf, processEnv, stdin);
                    AttachmentLock held = attachment
                            ? AttachmentLock.acquire(kind, env, ExecPlugin.timeoutSeconds(processEnv))
                            : null) {
                Result r = dispatch(kind, env.command(), c);
                if (r != null) {
                    out.println(r.toJson(version));
                }
            }
            return 0;
        } catch (RuntimeException | Error e) {
            // Error too (an UnsatisfiedLinkError of jnr-ffi, ...): the runtime always gets a CNI error JSON
            CniException ce = e instanceof RuntimeException re
                    ? NetworkPlugin.mapped(re)
                    : new CniException(CniException.PLUGIN_FAILURE, "internal error: " + e);
            out.println(ce.toJson(version));
            err.println((kind == Kind.NETWORK ? Versions.PLUGIN_TYPE : Versions.IPAM_TYPE) + " "
                    + (env == null ? "" : env.command() + " " + env.containerId() + " ") + "failed (code " + ce.code()
                    + "): " + ce.getMessage());
            return 1;
        } finally {
            out.flush();
        }
    }

    private static Result dispatch(Kind kind, String command, Context c) {
        switch (command) {
            case "ADD":
                return kind == Kind.NETWORK ? NetworkPlugin.add(c) : IpamPlugin.add(c);
            case "STATUS":
                Lifecycle.status(c);
                return null;
            case "GC":
                if (kind == Kind.NETWORK) {
                    Lifecycle.gc(c);
                }
                return null;
            case "DEL":
                if (kind == Kind.NETWORK) {
                    NetworkPlugin.del(c);
                } else {
                    IpamPlugin.del(c);
                }
                return null;
            default:
                if (kind == Kind.NETWORK) {
                    Checker.check(c);
                } else {
                    IpamPlugin.check(c);
                }
                return null;
        }
    }

    private static byte[] readStdin(InputStream in, String command) {
        try {
            byte[] b = in.readNBytes(NetConf.MAX_BYTES + 1);
            if (b.length == 0 && !command.equals("VERSION")) {
                throw new CniException(CniException.DECODE_FAILURE, "no network configuration on stdin");
            }
            return b;
        } catch (IOException e) {
            throw new CniException(CniException.IO_FAILURE, "reading stdin: " + e.getMessage());
        }
    }

    /** slf4j-simple on stderr at the config's log_level; set before the first logger is made. */
    private static void logLevel(String level) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
        // no date: formatting one loads the JDK's locale data (costly here); the runtime stamps what it logs
    }
}
