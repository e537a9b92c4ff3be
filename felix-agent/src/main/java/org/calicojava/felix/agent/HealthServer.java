package org.calicojava.felix.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.calicojava.model.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * felix's health endpoints, {@code /liveness} and {@code /readiness} (200 or 503; GET or HEAD), served by one thread
 * over non-blocking sockets; port 0 in the config means off (not started). A client holds no thread: one that sends part
 * of a request and waits costs a buffer of at most {@value #MAX_REQUEST} bytes until its {@value #DEADLINE_MS} ms are up,
 * and past {@value #MAX_CLIENTS} open connections the oldest is closed, so a probe is answered unless
 * {@value #MAX_CLIENTS} newer connections come before its request is read. An answer is followed by a shut of the
 * output and at most {@value #DRAIN_MS} ms of reading what the client still sends, so that bytes left unread (a body, a
 * request over the limit) cannot turn the close into a reset that loses the answer. (The JDK's HTTP server, used
 * before, gave each request a thread of a pool of 4 until it arrived whole: four silent local clients held every probe
 * for up to 10 s.) A trouble of the loop is logged in one line and the loop goes on; an {@link Error} is logged in one
 * line and stops the server, which closes its port, so that probes fail at once. Metrics are served by the Prometheus
 * client ({@link Metrics#serve}), on the JDK's server with {@link #limits}.
 */
public final class HealthServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthServer.class);

    /** The longest request (line and headers) read; a longer one is answered 431 and closed. */
    static final int MAX_REQUEST = 8192;

    /** Open connections kept; one more closes the oldest. */
    static final int MAX_CLIENTS = 64;

    /** How long a connection may take, from accept to the last byte of its answer. */
    static final long DEADLINE_MS = 10_000;

    /** How long an answered client may take to close its side before it is closed. */
    static final long DRAIN_MS = 1_000;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final BooleanSupplier live;
    private final BooleanSupplier ready;
    private final Set<Client> clients = new LinkedHashSet<>(); // oldest first; the server's thread only
    private final Thread thread;
    private volatile boolean closed;

    private static final class Client {
        final SocketChannel ch;
        long deadline;
        final ByteBuffer in = ByteBuffer.allocate(MAX_REQUEST);
        ByteBuffer out;
        boolean draining; // the answer is sent and the output shut: what the client still sends is read and dropped
        SelectionKey key;

        Client(SocketChannel ch, long deadline) {
            this.ch = ch;
            this.deadline = deadline;
        }
    }

    private HealthServer(ServerSocketChannel server, Selector selector, BooleanSupplier live, BooleanSupplier ready) {
        this.server = server;
        this.selector = selector;
        this.live = live;
        this.ready = ready;
        this.thread = new Thread(this::loop, "felix-health");
        thread.setDaemon(true);
    }

    /** Health endpoints on {@code bind:port} (port 0: any free port, see {@link #port}). */
    public static HealthServer health(String bind, int port, BooleanSupplier live, BooleanSupplier ready) {
        limits();
        ServerSocketChannel s = null;
        Selector sel = null;
        try {
            s = ServerSocketChannel.open();
            s.bind(new InetSocketAddress(bind, port), 64);
            s.configureBlocking(false);
            sel = Selector.open();
            s.register(sel, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            closeQuietly(s);
            closeQuietly(sel);
            throw new UncheckedIOException(
                    "HTTP port " + bind + ":" + port + ": " + e.getMessage(),
                    e instanceof IOException io ? io : new IOException(e));
        }
        HealthServer h = new HealthServer(s, sel, live, ready);
        h.thread.start();
        return h;
    }

    /**
     * The JDK HTTP server's time limits, which it reads once, when the JVM's first server starts: a request must
     * arrive whole within 10 s and its answer be taken within 30 s, or the connection is closed. Without them a client
     * that sends one byte and waits holds a thread for good (the Prometheus client sets 60 s only if its server starts
     * first). Called before felix starts its metrics server.
     */
    static void limits() {
        System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", "10");
        System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", "30");
    }

    public int port() {
        try {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void loop() {
        try {
            serveUntilClosed();
        } catch (Error e) { // the thread ends here, in this one line (no stack trace on stderr)
            LOG.error("health server stopped: {}", LogText.oneLine(String.valueOf(e)));
        } finally {
            for (Client c : clients) {
                close(c);
            }
            clients.clear();
            closeQuietly(server);
            closeQuietly(selector);
        }
    }

    private void serveUntilClosed() {
        while (!closed) {
            try {
                selector.select(1000);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (!k.isValid()) {
                        continue;
                    }
                    if (k.isAcceptable()) {
                        accept();
                    } else if (k.attachment() instanceof Client c) {
                        serve(c, k);
                    }
                }
                expire(System.nanoTime());
            } catch (IOException | RuntimeException e) {
                if (!closed) { // e.g. accept failing for want of file descriptors: not a busy loop
                    LOG.warn("health server: {}", LogText.oneLine(String.valueOf(e)));
                    sleep(100);
                }
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void accept() throws IOException {
        SocketChannel ch;
        while ((ch = server.accept()) != null) {
            if (clients.size() >= MAX_CLIENTS) {
                drop(clients.iterator().next()); // the oldest: a probe is the newest
            }
            Client c = new Client(ch, System.nanoTime() + DEADLINE_MS * 1_000_000L);
            try {
                ch.configureBlocking(false);
                c.key = ch.register(selector, SelectionKey.OP_READ, c);
                clients.add(c);
            } catch (IOException e) {
                closeQuietly(ch);
            }
        }
    }

    private void serve(Client c, SelectionKey k) {
        try {
            if (c.draining) {
                c.in.clear();
                if (c.ch.read(c.in) < 0) {
                    drop(c); // the client has read the answer and closed
                }
                return;
            }
            if (c.out == null && k.isReadable()) {
                if (c.ch.read(c.in) < 0) {
                    drop(c);
                    return;
                }
                String request = headEnd(c.in);
                if (request != null) {
                    answer(c, request);
                } else if (!c.in.hasRemaining()) {
                    reply(c, 431, "request too long\n", false);
                } else {
                    return;
                }
            }
            if (c.out != null) {
                c.ch.write(c.out);
                if (c.out.hasRemaining()) {
                    k.interestOps(SelectionKey.OP_WRITE);
                    return;
                }
                // closing now, with request bytes unread, would reset the connection and could lose the answer: shut
                // the output (the client sees the end) and drop what it still sends, for at most a second
                c.ch.shutdownOutput();
                c.draining = true;
                c.deadline = Math.min(c.deadline, System.nanoTime() + DRAIN_MS * 1_000_000L);
                k.interestOps(SelectionKey.OP_READ);
            }
        } catch (IOException | RuntimeException e) {
            drop(c); // a client's trouble ends its connection, nothing else
        }
    }

    /** The request line, once the head is complete (an empty line read), else null. */
    private static String headEnd(ByteBuffer in) {
        String text = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
        if (!text.contains("\r\n\r\n") && !text.contains("\n\n")) {
            return null;
        }
        int eol = text.indexOf('\n');
        return text.substring(0, eol).strip();
    }

    private void answer(Client c, String requestLine) {
        String[] f = requestLine.split(" ");
        if (f.length != 3 || !f[2].startsWith("HTTP/1.")) {
            reply(c, 400, "bad request\n", false);
            return;
        }
        boolean head = f[0].equals("HEAD");
        if (!head && !f[0].equals("GET")) {
            reply(c, 405, "only GET and HEAD\n", false);
            return;
        }
        int q = f[1].indexOf('?');
        String path = q < 0 ? f[1] : f[1].substring(0, q);
        switch (path) {
            case "/liveness" -> {
                boolean ok = live.getAsBoolean();
                reply(c, ok ? 200 : 503, ok ? "live\n" : "not live\n", head);
            }
            case "/readiness" -> {
                boolean ok = ready.getAsBoolean();
                reply(c, ok ? 200 : 503, ok ? "ready\n" : "not ready\n", head);
            }
            default -> reply(c, 404, "not found\n", head);
        }
    }

    private static void reply(Client c, int code, String body, boolean head) {
        String reason = switch (code) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 431 -> "Request Header Fields Too Large";
            default -> "Service Unavailable";
        };
        byte[] b = body.getBytes(StandardCharsets.US_ASCII);
        String h = String.format(
                Locale.ROOT,
                "HTTP/1.1 %d %s\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: %d\r\n"
                        + "Connection: close\r\n\r\n%s",
                code,
                reason,
                b.length,
                head ? "" : body);
        c.out = ByteBuffer.wrap(h.getBytes(StandardCharsets.US_ASCII));
    }

    private void expire(long now) {
        for (Iterator<Client> it = clients.iterator(); it.hasNext(); ) {
            Client c = it.next();
            if (now - c.deadline >= 0) {
                it.remove();
                close(c);
            }
        }
    }

    private void drop(Client c) {
        clients.remove(c);
        close(c);
    }

    private static void close(Client c) {
        if (c.key != null) {
            c.key.cancel();
        }
        closeQuietly(c.ch);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }

    /** Stops the server: its thread closes the listening socket and every connection as it ends. */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
