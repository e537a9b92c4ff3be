package org.calicojava.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The launchers themselves, against real etcd processes. */
class EtcdClusterIT {
    @Test
    void aThreeMemberClusterKeepsServingWithOneMemberDown() throws Exception {
        try (EtcdCluster c = EtcdCluster.start(3)) {
            assertThat(c.endpoints().split(",")).hasSize(3);
            assertThat(c.member(0).etcdctl("member", "list")).contains("m0", "m1", "m2");
            assertThat(c.member(0).etcdctl("put", "/cj/a", "1")).contains("OK");
            c.member(0).stop();
            assertThat(c.member(0).running()).isFalse();
            assertThat(c.member(1).etcdctl("put", "/cj/b", "2")).contains("OK"); // quorum of 2 of 3
            assertThat(c.member(2).etcdctl("get", "/cj/a", "--print-value-only"))
                    .contains("1");
            c.member(0).start(); // back with its data: catches up
            assertThat(Sh.waitFor(
                            20,
                            () -> c.member(0)
                                    .etcdctl("get", "/cj/b", "--print-value-only", "--consistency", "s")
                                    .contains("2")))
                    .isNotNegative();
        }
    }

    @Test
    void oneMemberStopsAndStartsOnItsPortsAndData() throws Exception {
        try (EtcdProcess e = EtcdProcess.plain().start()) {
            e.etcdctl("put", "/cj/k", "v");
            long pid = e.pid();
            e.stop();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .isFalse();
            e.start();
            assertThat(e.etcdctl("get", "/cj/k", "--print-value-only")).contains("v");
        }
    }

    @Test
    void proxyRelaysCutsAndRestores() throws Exception {
        try (ServerSocketChannel echo = TcpProxy.loopback(0)) {
            Thread t = new Thread(() -> {
                while (echo.isOpen()) {
                    try (SocketChannel c = echo.accept()) {
                        c.socket()
                                .getOutputStream()
                                .write(c.socket().getInputStream().readNBytes(5));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            int port = ((InetSocketAddress) echo.getLocalAddress()).getPort();
            try (TcpProxy p = TcpProxy.toLoopbackPort(port)) {
                assertThat(roundTrip(p.port())).isEqualTo("hello");
                p.cut();
                assertThat(Sh.waitFor(5, () -> refused(p.port())))
                        .as("connections refused after cut")
                        .isNotNegative();
                assertThatThrownBy(() -> roundTrip(p.port())).isInstanceOf(ConnectException.class);
                p.restore();
                assertThat(roundTrip(p.port())).isEqualTo("hello");
            }
        }
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String roundTrip(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream o = s.getOutputStream();
            o.write("hello".getBytes(StandardCharsets.US_ASCII));
            InputStream i = s.getInputStream();
            return new String(i.readNBytes(5), StandardCharsets.US_ASCII);
        }
    }
}
