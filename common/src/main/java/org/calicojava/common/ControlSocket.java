package org.calicojava.common;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The one client of a daemon's unix control socket (the speaker's {@code bgp-speaker.ctl}): one command line out, the
 * answer until the daemon closes the connection, all within one deadline, so a daemon that accepts and never answers
 * cannot hang the caller. The client does not shut its sending side after the command: the speaker's transport (Netty
 * 4.2.18 epoll) loses an answer larger than the socket's buffer once the client's side is shut (bgp-speaker README,
 * control socket); the newline ends the command.
 */
public final class ControlSocket {
    /** Nobody listens: no such path, or a socket nobody accepts on (left by a daemon that has exited). */
    public static final class NoListener extends IOException {
        NoListener(String message) {
            super(message);
        }
    }

    private ControlSocket() {}

    /**
     * Sends {@code command} and a newline, and returns the answer (UTF-8) once the daemon closes. Throws
     * {@link NoListener} when nobody listens, {@link SocketTimeoutException} when the answer is not complete within
     * {@code timeout}, and an {@link IOException} with a one-line message (the socket's path first) for any other
     * failure: the path is not a socket, the connection is refused, the answer is longer than {@code maxAnswer} bytes.
     */
    public static String ask(Path socket, String command, Duration timeout, int maxAnswer) throws IOException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoListener(socket + ": no control socket");
        }
        if (!isSocket(socket)) {
            throw new IOException(socket + ": not a socket");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                Selector selector = Selector.open()) {
            ch.configureBlocking(false);
            try {
                if (!ch.connect(UnixDomainSocketAddress.of(socket))) {
                    await(ch, selector, SelectionKey.OP_CONNECT, deadline, socket, command, timeout);
                    ch.finishConnect();
                }
            } catch (ConnectException e) {
                if (String.valueOf(e.getMessage()).contains("refused")) {
                    throw new NoListener(socket + ": nobody accepts on it (left by a daemon that has exited)");
                }
                throw e;
            }
            ByteBuffer out = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                if (ch.write(out) == 0) {
                    await(ch, selector, SelectionKey.OP_WRITE, deadline, socket, command, timeout);
                }
            }
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            while (true) {
                in.clear();
                int n = ch.read(in);
                if (n < 0) {
                    return answer.toString(StandardCharsets.UTF_8);
                }
                if (n == 0) {
                    await(ch, selector, SelectionKey.OP_READ, deadline, socket, command, timeout);
                    continue;
                }
                if (answer.size() + n > maxAnswer) {
                    throw new IOException(
                            socket + ": the answer to '" + command + "' is longer than " + maxAnswer + " bytes");
                }
                answer.write(in.array(), 0, n);
            }
        } catch (NoListener | SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            String m = e.getMessage();
            if (m != null && m.startsWith(socket + ": ")) {
                throw e;
            }
            throw new IOException(
                    socket + ": " + OneLine.of(m == null ? e.getClass().getSimpleName() : m), e);
        }
    }

    private static void await(
            SocketChannel ch, Selector selector, int op, long deadline, Path socket, String command, Duration timeout)
            throws IOException {
        long left = deadline - System.nanoTime();
        if (left > 0) {
            SelectionKey key = ch.register(selector, op);
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            key.interestOps(0);
            selector.selectedKeys().clear();
            if (deadline - System.nanoTime() > 0) {
                return; // ready, or woken early: the caller tries again
            }
        }
        throw new SocketTimeoutException(socket + ": no answer to '" + command + "' within " + seconds(timeout) + " s");
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? Long.toString(ms / 1000) : String.format(java.util.Locale.ROOT, "%.1f", ms / 1000.0);
    }

    private static boolean isSocket(Path p) {
        try {
            Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (((Integer) mode) & 0170000) == 0140000; // S_IFSOCK
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
