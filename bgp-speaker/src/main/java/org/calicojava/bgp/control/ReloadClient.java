package org.calicojava.bgp.control;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code bgp-speaker --reload SOCKET}: confd's reload of a running speaker through its control socket's {@code reload}
 * command (the same reload as SIGHUP, answered with its outcome). No PID is read and no signal is sent, so nothing
 * else can be signalled by mistake. The outcomes:
 *
 * <ul>
 *   <li>{@link Kind#RELOADED}: the speaker answered {@code reloaded FILE}.
 *   <li>{@link Kind#NO_SPEAKER}: no speaker listens on SOCKET: the path does not exist, or it is a socket nobody
 *       accepts on (left by a speaker that has exited). Nothing to reload: a speaker that starts later reads the
 *       current file, and one that is starting (config read, socket not yet bound) reloads by itself if its file
 *       changed before its socket was up (see {@code Main}).
 *   <li>{@link Kind#FAILED}: the speaker refused (e.g. the file fails its loaders, or a setting that needs a restart
 *       changed), the path is not a socket, the connection is not allowed, or no answer came within the timeout.
 * </ul>
 */
public final class ReloadClient {
    /** Longest answer read; the speaker's is one line. */
    private static final int MAX_ANSWER = 64 * 1024;

    public enum Kind {
        RELOADED,
        NO_SPEAKER,
        FAILED
    }

    /** The outcome and its one-line message (the speaker's answer, or why there was none). */
    public record Outcome(Kind kind, String message) {}

    private ReloadClient() {}

    public static Outcome reload(Path socket, Duration timeout) {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return new Outcome(Kind.NO_SPEAKER, socket + ": no control socket, no bgp-speaker to reload");
        }
        if (!isSocket(socket)) {
            return new Outcome(Kind.FAILED, socket + ": not a socket");
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "reload-timeout");
            t.setDaemon(true);
            return t;
        });
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            AtomicBoolean timedOut = new AtomicBoolean();
            timer.schedule(
                    () -> {
                        timedOut.set(true);
                        try {
                            ch.close(); // ends a blocked connect or read
                        } catch (IOException ignored) {
                            // closing anyway
                        }
                    },
                    timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (ConnectException e) {
                if (String.valueOf(e.getMessage()).contains("refused")) {
                    return new Outcome(
                            Kind.NO_SPEAKER, socket + ": nobody accepts on it (left by an earlier bgp-speaker)");
                }
                throw e;
            }
            ch.write(ByteBuffer.wrap("reload\n".getBytes(StandardCharsets.UTF_8)));
            String answer;
            try {
                answer = readAll(ch).trim();
            } catch (AsynchronousCloseException e) {
                return new Outcome(Kind.FAILED, socket + ": no answer to reload within " + timeout.toSeconds() + " s");
            }
            if (answer.startsWith("reloaded")) {
                return new Outcome(Kind.RELOADED, oneLine(answer));
            }
            return new Outcome(Kind.FAILED, socket + ": " + (answer.isEmpty() ? "no answer" : oneLine(answer)));
        } catch (IOException e) {
            return new Outcome(Kind.FAILED, socket + ": " + oneLine(String.valueOf(e.getMessage())));
        } finally {
            timer.shutdownNow();
        }
    }

    private static boolean isSocket(Path p) {
        try {
            Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (((Integer) mode) & 0170000) == 0140000; // S_IFSOCK
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static String readAll(SocketChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(MAX_ANSWER);
        while (buf.hasRemaining() && ch.read(buf) >= 0) {
            // until the speaker closes the connection (it does after its answer)
        }
        buf.flip();
        return StandardCharsets.UTF_8.decode(buf).toString();
    }

    private static String oneLine(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }
}
