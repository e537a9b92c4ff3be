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
 * cannot hang the caller. The newline ends the command; the client does not shut its sending side (the speaker answers
 * a half-closing client too, but older speakers cut its long answers short: bgp-speaker README, control socket).
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
        return ask(socket, command, timeout, maxAnswer, false);
    }

    /**
     * As {@link #ask(Path, String, Duration, int)}, but an answer longer than {@code maxAnswer} bytes is cut there and
     * ends with a line saying so, instead of failing (for diagnostics, where part of a huge table beats none).
     */
    public static String askCut(Path socket, String command, Duration timeout, int maxAnswer) throws IOException {
        return ask(socket, command, timeout, maxAnswer, true);
    }

    private static String ask(Path socket, String command, Duration timeout, int maxAnswer, boolean cut)
            throws IOException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoListener(socket + ": no control socket");
        }
        if (!isSocket(socket)) {
            throw new IOException(socket + ": not a socket");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Selector selector = Selector.open();
                SocketChannel ch = connect(socket, command, deadline, timeout)) {
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
                    if (cut) {
                        answer.write(in.array(), 0, maxAnswer - answer.size());
                        return answer.toString(StandardCharsets.UTF_8) + "\n... (cut at " + maxAnswer + " bytes)\n";
                    }
                    throw new IOException(
                            socket + ": the answer to '" + command + "' is longer than " + maxAnswer + " bytes");
                }
                answer.write(in.array(), 0, n);
            }
        } catch (NoListener | java.io.InterruptedIOException e) {
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

    /**
     * A connected channel, non-blocking. A unix socket's connect does not wait: when the daemon's accept queue is full it
     * fails at once ("Resource temporarily unavailable"), so that is tried again every 10 ms until the deadline.
     */
    private static SocketChannel connect(Path socket, String command, long deadline, Duration timeout)
            throws IOException {
        while (true) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.configureBlocking(false); // a blocking connect waits, without a deadline, while the queue is full
                boolean connected = ch.connect(UnixDomainSocketAddress.of(socket));
                while (!connected && deadline - System.nanoTime() > 0) { // not seen on Linux for unix sockets
                    Thread.sleep(10);
                    connected = ch.finishConnect();
                }
                if (connected) {
                    return ch;
                }
                ch.close();
            } catch (InterruptedException e) {
                ch.close();
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException(socket + ": interrupted");
            } catch (ConnectException e) {
                ch.close();
                if (String.valueOf(e.getMessage()).contains("refused")) {
                    throw new NoListener(socket + ": nobody accepts on it (left by a daemon that has exited)");
                }
                throw e;
            } catch (IOException e) {
                ch.close();
                if (!String.valueOf(e.getMessage()).contains("temporarily unavailable")) {
                    throw e;
                }
            }
            if (deadline - System.nanoTime() <= 0) {
                throw new SocketTimeoutException(socket + ": the daemon accepted no connection within "
                        + seconds(timeout) + " s (to send '" + command + "')");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException(socket + ": interrupted");
            }
        }
    }

    private static void await(
            SocketChannel ch, Selector selector, int op, long deadline, Path socket, String command, Duration timeout)
            throws IOException {
        if (Thread.interrupted()) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException(socket + ": interrupted");
        }
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
