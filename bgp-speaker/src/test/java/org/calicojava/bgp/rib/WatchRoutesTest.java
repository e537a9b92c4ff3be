package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.calicojava.bgp.control.ControlServer;
import org.calicojava.bgp.session.Await;
import org.calicojava.testing.Ports;
import org.junit.jupiter.api.Test;

/**
 * {@code watch routes} on the control socket of node B (127.0.63.2) while node A (127.0.63.1) announces, changes and
 * withdraws routes: the client reads one line per best-route change, in order ({@code best PREFIX from PEER (ibgp)
 * {attributes}} / {@code withdraw PREFIX}); no thread is started for it, and when the client goes away its watch ends at
 * once and the speaker carries on.
 */
class WatchRoutesTest {
    static final Duration T = Duration.ofSeconds(30);
    final int port = Ports.free();
    final String net = "127.0.63.";

    /** A watching client: lines are read on their own thread so the test can wait with a timeout. */
    static final class Watcher implements AutoCloseable {
        final SocketChannel channel;
        final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Watcher(Path socket) throws IOException {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap("watch routes\n".getBytes(StandardCharsets.UTF_8)));
            Thread t = new Thread(
                    () -> {
                        try (BufferedReader r = new BufferedReader(
                                new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8))) {
                            for (String l; (l = r.readLine()) != null; ) {
                                lines.add(l);
                            }
                        } catch (IOException e) {
                            // closed by the test
                        }
                    },
                    "watch-reader");
            t.setDaemon(true);
            t.start();
        }

        String next() throws InterruptedException {
            String l = lines.poll(T.toSeconds(), TimeUnit.SECONDS);
            if (l == null) {
                throw new AssertionError("no watch line within " + T);
            }
            return l;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    static Set<Thread> controlThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("control") && t.isAlive())
                .collect(Collectors.toSet());
    }

    String aYaml(String originate) {
        return Node.yaml(
                net + 1,
                65000,
                port,
                List.of("{address: " + net + 2 + ", asNumber: 65000}"),
                "originate: " + originate);
    }

    @Test
    void watchRoutesStreamsChangesInOrderAndADisconnectDoesNotDisturbTheSpeaker() throws Exception {
        Path dir = Files.createTempDirectory("bt-ctl");
        Path sock = dir.resolve("bgp.ctl");
        String a = net + 1, b = net + 2;
        try (Node na = new Node(a, port, aYaml("[]"));
                Node nb = new Node(
                        b,
                        port,
                        Node.yaml(
                                b, 65000, port, List.of("{address: " + a + ", asNumber: 65000, passive: true}"), ""));
                ControlServer ctl = new ControlServer(sock, nb.rib, () -> "reloaded")) {
            ctl.start();
            Await.until("session up", T, () -> na.up(b) && nb.up(a));
            assertThat(ctl.answer("reload")).isEqualTo("reloaded\n");
            Set<Thread> before = controlThreads();
            Watcher w = new Watcher(sock);
            assertThat(w.next()).isEqualTo("watching route changes");
            Set<Thread> mine = controlThreads();
            mine.removeAll(before);
            assertThat(mine).as("no server thread for the watching client").isEmpty();
            assertThat(nb.rib.watcherCount()).isEqualTo(1);

            na.reload(aYaml("[10.63.1.0/24]"));
            assertThat(w.next())
                    .startsWith("best 10.63.1.0/24 from " + a + " (ibgp) {")
                    .contains("next_hop=" + a)
                    .contains("local_pref=100");
            na.reload(aYaml("[10.63.1.0/24, 10.63.2.0/24]"));
            assertThat(w.next()).startsWith("best 10.63.2.0/24 from " + a + " (ibgp)");
            na.reload(aYaml("[10.63.2.0/24]"));
            assertThat(w.next()).isEqualTo("withdraw 10.63.1.0/24");
            na.reload(aYaml("[]"));
            assertThat(w.next()).isEqualTo("withdraw 10.63.2.0/24");
            assertThat(w.lines).isEmpty();

            // the client goes away without a word: its watch ends (no route change needed to notice) ...
            w.close();
            Await.until("the watch ends after the client left", T, () -> nb.rib.watcherCount() == 0);
            // ... and the speaker carries on: routes flow, the socket answers, a new watcher gets the next change
            Watcher w2 = new Watcher(sock);
            assertThat(w2.next()).isEqualTo("watching route changes");
            na.reload(aYaml("[10.63.3.0/24]"));
            assertThat(w2.next()).startsWith("best 10.63.3.0/24 from " + a);
            Await.until("B has the new route", T, () -> nb.best("10.63.3.0/24") != null);
            assertThat(ctl.answer("show protocols")).contains(a).contains("Established");
            assertThat(nb.speaker.peer(a).state().name()).isEqualTo("ESTABLISHED");
            w2.close();
        } finally {
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
    }
}
