package org.calicojava.cni;

import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code calico-java-cni serve [--socket PATH] [--log-level LEVEL]}: runs the {@link CniServer} until SIGTERM (then the
 * socket is removed, so the shim falls back to a process per call). The server's etcd settings are its environment's
 * ({@code ETCD_*}, as for every daemon) unless a network configuration names its own.
 */
final class ServeMain {
    private ServeMain() {}

    /**
     * The logger, made on first use: slf4j-simple reads its properties once, when the first logger is made, so this
     * must not happen before {@link #run} has set them (a plain static field of ServeMain would).
     */
    private static final class Log {
        private static final Logger LOG = LoggerFactory.getLogger(ServeMain.class);

        private Log() {}
    }

    static int run(String[] args) {
        Path socket = Path.of(CniServer.DEFAULT_SOCKET);
        String level = "info";
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("--socket") || a.equals("--log-level")) && i + 1 < args.length) {
                String v = args[++i];
                if (a.equals("--socket")) {
                    socket = Path.of(v);
                } else {
                    level = v;
                }
            } else if (a.equals("--help") || a.equals("-h")) {
                System.out.println("usage: calico-java-cni serve [--socket PATH (default " + CniServer.DEFAULT_SOCKET
                        + ")] [--log-level debug|info|warn|error]");
                return 0;
            } else {
                System.err.println("calico-java-cni serve: unknown argument '" + a + "' (expected: --socket PATH, "
                        + "--log-level LEVEL)");
                return 2;
            }
        }
        if (!level.matches("debug|info|warn|error")) {
            System.err.println(
                    "calico-java-cni serve: --log-level '" + level + "' (expected: debug, info, warn or error)");
            return 2;
        }
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
        CniServer server;
        try {
            server = new CniServer(socket, System.getenv());
        } catch (IOException | RuntimeException e) {
            Log.LOG.error("cannot serve {}: {}", socket, e.toString());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        try {
            server.serveUntilTerminated();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
