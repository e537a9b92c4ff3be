package org.calicojava.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay for tests: accepts on a listener that {@link Binder} makes (on 127.0.0.1 here, or inside a test's
 * network namespace) and connects each connection to {@code target}, copying bytes both ways. {@link #cut()} closes
 * the listener and every relayed connection (clients see "connection refused", as in an outage); {@link #restore()}
 * listens on the same port again.
 */
public final class TcpProxy implements AutoCloseable {
    /** Makes the listening socket on {@code port} (0: any free one). */
    public interface Binder {
        ServerSocketChannel bind(int port) throws IOException;
    }

    private final Binder binder;
    private final InetSocketAddress target;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private final int port;
    private volatile ServerSocketChannel server;
    private volatile Thread acceptor;

    public TcpProxy(Binder binder, InetSocketAddress target) throws IOException {
        this.binder = binder;
        this.target = target;
        listen(0);
        this.port = ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    /** A relay on 127.0.0.1 of this namespace to 127.0.0.1:{@code targetPort}. */
    public static TcpProxy toLoopbackPort(int targetPort) throws IOException {
        return new TcpProxy(TcpProxy::loopback, new InetSocketAddress("127.0.0.1", targetPort));
    }

    /** A listener on 127.0.0.1:{@code port} of the calling thread's namespace. */
    public static ServerSocketChannel loopback(int port) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        s.bind(new InetSocketAddress("127.0.0.1", port));
        return s;
    }

    public int port() {
        return port;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    private void listen(int p) throws IOException {
        ServerSocketChannel s = binder.bind(p);
        server = s;
        Thread t = new Thread(() -> accept(s), "test-proxy-" + p);
        t.setDaemon(true);
        acceptor = t;
        t.start();
    }

    private void accept(ServerSocketChannel s) {
        while (s.isOpen()) {
            try {
                SocketChannel in = s.accept();
                open.add(in);
                SocketChannel out;
                try {
                    out = SocketChannel.open(target);
                } catch (IOException e) {
                    closeQuietly(in); // target down: the client sees a closed connection
                    continue;
                }
                open.add(out);
                pump(in, out);
                pump(out, in);
            } catch (IOException e) {
                return; // listener closed (cut)
            }
        }
    }

    private void pump(SocketChannel from, SocketChannel to) {
        Thread t = new Thread(
                () -> {
                    ByteBuffer buf = ByteBuffer.allocate(65536);
                    try {
                        while (from.read(buf) >= 0) {
                            buf.flip();
                            while (buf.hasRemaining()) {
                                to.write(buf);
                            }
                            buf.clear();
                        }
                    } catch (IOException ignored) {
                        // either side closed
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                "test-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /** Closes the listener and every relayed connection; when it returns, new connections are refused. */
    public void cut() throws IOException {
        server.close();
        Thread t = acceptor;
        if (t != null) {
            try {
                t.join(2000); // the listening socket is released once the blocked accept has returned
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        open.forEach(TcpProxy::closeQuietly);
        open.clear();
    }

    /** Listens on the same port again. */
    public void restore() throws IOException {
        listen(port);
    }

    @Override
    public void close() {
        try {
            cut();
        } catch (IOException ignored) {
            // the listener was closed already
        }
    }
}
