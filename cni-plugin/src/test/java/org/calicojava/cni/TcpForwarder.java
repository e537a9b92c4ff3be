package org.calicojava.cni;

import org.calicojava.netlink.NetNs;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Lets daemons inside a test namespace reach the test's etcd: listens on 127.0.0.1 inside the namespace and connects
 * each accepted connection to {@code target} from this (the host's) namespace, copying bytes both ways.
 * Loopback is per namespace, so this is the "address the namespaces share" DESIGN.md asks for, without touching
 * the host's network.
 */
final class TcpForwarder implements AutoCloseable {
    private final ServerSocketChannel server;
    private final InetSocketAddress target;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();

    TcpForwarder(String netns, InetSocketAddress target) {
        this.target = target;
        this.server = NetNs.run(netns, () -> {
            ServerSocketChannel s = ServerSocketChannel.open();
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s;
        });
        Thread t = new Thread(this::acceptLoop, "forward-accept");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        try {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel in = server.accept();
                SocketChannel out = SocketChannel.open(target);
                open.add(in);
                open.add(out);
                pump(in, out);
                pump(out, in);
            } catch (IOException e) {
                // closed, or etcd refused: the client sees its connection fail
            }
        }
    }

    private void pump(SocketChannel from, SocketChannel to) {
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            try {
                while (from.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        to.write(buf);
                    }
                    buf.clear();
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "forward-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        open.forEach(TcpForwarder::closeQuietly);
    }
}
