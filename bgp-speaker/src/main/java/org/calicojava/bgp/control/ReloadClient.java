package org.calicojava.bgp.control;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.calicojava.common.ControlSocket;
import org.calicojava.common.OneLine;

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
        String answer;
        try {
            answer = ControlSocket.ask(socket, "reload", timeout, MAX_ANSWER).trim();
        } catch (ControlSocket.NoListener e) {
            return new Outcome(Kind.NO_SPEAKER, e.getMessage() + ", no bgp-speaker to reload");
        } catch (IOException e) {
            return new Outcome(Kind.FAILED, e.getMessage()); // timeout, not a socket, refused: the path comes first
        }
        if (answer.startsWith("reloaded")) {
            return new Outcome(Kind.RELOADED, OneLine.of(answer));
        }
        return new Outcome(Kind.FAILED, socket + ": " + (answer.isEmpty() ? "no answer" : OneLine.of(answer)));
    }
}
