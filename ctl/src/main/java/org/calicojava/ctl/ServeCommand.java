package org.calicojava.ctl;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code javactl serve}: the resident javactl ({@link CtlServer}) until SIGTERM; then the socket is removed and
 * {@code bin/javactl} runs every call in a JVM of its own again.
 */
@Command(
        name = "serve",
        description = "Run the resident javactl that bin/javactl hands read commands to (no JVM start per call); "
                + "started by 'node run --ctl-server'.")
final class ServeCommand implements Callable<Integer> {
    @Option(
            names = "--socket",
            paramLabel = "PATH",
            description = "unix socket (default " + CtlServer.DEFAULT_SOCKET + "; bin/javactl reads JAVACTL_SOCKET)")
    Path socket = Path.of(CtlServer.DEFAULT_SOCKET);

    @Override
    public Integer call() throws Exception {
        CtlServer server;
        try {
            server = new CtlServer(socket);
        } catch (IOException e) {
            throw new UserException("cannot serve " + socket + ": " + e.getMessage());
        }
        warmUp();
        server.serveUntilTerminated();
        return 0;
    }

    /** The command models and Jackson made once before the first call needs them (no etcd is read). */
    private static void warmUp() {
        PrintWriter none = new PrintWriter(Writer.nullWriter());
        for (String[] line :
                new String[][] {{"get", "--help"}, {"pool", "show", "--help"}, {"ipam", "show", "--help"}}) {
            Main.runPicocli(line, none, none);
        }
        Main.warmUpInBackground();
    }
}
