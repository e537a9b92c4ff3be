package org.calicojava.felix.it;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.calicojava.netlink.NetNs;

/** Real TCP and UDP traffic between namespaces: sockets are created inside a namespace, then used from any thread. */
final class Traffic {
    private Traffic() {}

    /** A TCP server in a namespace that accepts connections and echoes bytes; remembers peers' addresses. */
    static final class TcpServer implements AutoCloseable {
        final ServerSocket socket;
        final BlockingQueue<String> peers = new LinkedBlockingQueue<>();

        TcpServer(String ns, String ip, int port) {
            socket = NetNs.run(ns, () -> new ServerSocket(port, 50, InetAddress.getByName(ip)));
            Thread t = new Thread(
                    () -> {
                        while (!socket.isClosed()) {
                            try {
                                Socket s = socket.accept();
                                peers.add(s.getInetAddress().getHostAddress());
                                Thread echo = new Thread(() -> {
                                    try (s) {
                                        s.getInputStream().transferTo(s.getOutputStream());
                                    } catch (IOException ignored) {
                                        // peer gone
                                    }
                                });
                                echo.setDaemon(true);
                                echo.start();
                            } catch (IOException e) {
                                return;
                            }
                        }
                    },
                    "test-tcp-" + port);
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** A UDP server in a namespace collecting the payloads it receives. */
    static final class UdpServer implements AutoCloseable {
        final DatagramSocket socket;
        final BlockingQueue<String> got = new LinkedBlockingQueue<>();

        UdpServer(String ns, String ip, int port) {
            socket = NetNs.run(ns, () -> new DatagramSocket(new InetSocketAddress(ip, port)));
            Thread t = new Thread(
                    () -> {
                        byte[] buf = new byte[1500];
                        while (!socket.isClosed()) {
                            try {
                                DatagramPacket p = new DatagramPacket(buf, buf.length);
                                socket.receive(p);
                                got.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
                            } catch (IOException e) {
                                return;
                            }
                        }
                    },
                    "test-udp-" + port);
            t.setDaemon(true);
            t.start();
        }

        /** Sends a fresh token from namespace {@code from} and says whether it arrived within 500 ms. */
        boolean reachableFrom(String from, String ip, int port) {
            String token = UUID.randomUUID().toString();
            try {
                NetNs.run(from, () -> {
                    try (DatagramSocket c = new DatagramSocket()) {
                        byte[] b = token.getBytes(StandardCharsets.UTF_8);
                        c.send(new DatagramPacket(b, b.length, new InetSocketAddress(ip, port)));
                    }
                    return null;
                });
                long deadline = System.nanoTime() + 500_000_000L;
                while (System.nanoTime() < deadline) {
                    String s = got.poll(50, TimeUnit.MILLISECONDS);
                    if (token.equals(s)) {
                        return true;
                    }
                }
                return false;
            } catch (RuntimeException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /**
     * Whether a TCP connection from namespace {@code ns} (optionally from {@code localPort}) is accepted. The whole
     * connect runs inside the namespace: a Java Socket creates its file descriptor only at bind/connect.
     */
    static boolean tcpConnects(String ns, String ip, int port, int localPort) {
        return NetNs.run(ns, () -> {
            try (Socket s = new Socket()) {
                if (localPort > 0) {
                    s.setReuseAddress(true);
                    s.bind(new InetSocketAddress(localPort));
                }
                s.connect(new InetSocketAddress(ip, port), 400);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    static boolean tcpConnects(String ns, String ip, int port) {
        return tcpConnects(ns, ip, port, 0);
    }

    /** Opens a TCP connection (for long-lived stream tests). */
    static Socket open(String ns, String ip, int port) throws IOException {
        return NetNs.run(ns, () -> {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(ip, port), 2000);
            s.setSoTimeout(2000);
            return s;
        });
    }
}
