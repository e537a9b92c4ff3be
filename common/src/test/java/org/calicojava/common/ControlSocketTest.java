package org.calicojava.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ControlSocket#ask} against real unix sockets served by the test. */
class ControlSocketTest {
    @TempDir
    Path dir;

    /** Serves one connection: reads the command line, writes {@code answer(command)} (null: nothing) and closes. */
    private CompletableFuture<String> serve(Path socket, Function<String, byte[]> answer, long holdMs)
            throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return CompletableFuture.supplyAsync(() -> {
            try (server;
                    SocketChannel c = server.accept()) {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                ByteBuffer b = ByteBuffer.allocate(1);
                while (c.read(b) > 0 && b.get(0) != '\n') {
                    line.write(b.get(0));
                    b.clear();
                }
                String command = line.toString(StandardCharsets.UTF_8);
                byte[] a = answer.apply(command);
                if (a != null) {
                    c.write(ByteBuffer.wrap(a));
                }
                Thread.sleep(holdMs);
                return command;
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void theAnswerUntilTheDaemonCloses() throws Exception {
        Path s = dir.resolve("d.ctl");
        CompletableFuture<String> got = serve(s, c -> ("you said " + c + "\n").getBytes(StandardCharsets.UTF_8), 0);
        assertThat(ControlSocket.ask(s, "show protocols", Duration.ofSeconds(5), 1024))
                .isEqualTo("you said show protocols\n");
        assertThat(got.get(5, TimeUnit.SECONDS)).isEqualTo("show protocols");
    }

    @Test
    void anAnswerFarLargerThanTheSocketBufferComesWhole() throws Exception {
        Path s = dir.resolve("d.ctl");
        byte[] big = "0123456789abcdef".repeat(256 * 1024).getBytes(StandardCharsets.UTF_8); // 4 MiB
        serve(s, c -> big, 0);
        assertThat(ControlSocket.ask(s, "show route all", Duration.ofSeconds(20), 8 << 20))
                .hasSize(big.length)
                .isEqualTo(new String(big, StandardCharsets.UTF_8));
    }

    @Test
    void aDaemonThatAcceptsAndNeverAnswersTimesOut() throws Exception {
        Path s = dir.resolve("d.ctl");
        serve(s, c -> null, 3_000);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> ControlSocket.ask(s, "reload", Duration.ofMillis(300), 1024))
                .isInstanceOf(SocketTimeoutException.class)
                .hasMessage(s + ": no answer to 'reload' within 0.3 s");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(250L, 2_500L);
    }

    @Test
    void anAnswerStartedButNotEndedTimesOutToo() throws Exception {
        Path s = dir.resolve("d.ctl");
        serve(s, c -> "partial".getBytes(StandardCharsets.UTF_8), 3_000);
        assertThatThrownBy(() -> ControlSocket.ask(s, "show", Duration.ofSeconds(1), 1024))
                .isInstanceOf(SocketTimeoutException.class)
                .hasMessage(s + ": no answer to 'show' within 1 s");
    }

    @Test
    void aDaemonWhoseQueueIsFullIsWaitedForUntilTheDeadline() throws Exception {
        Path s = dir.resolve("busy.ctl");
        List<SocketChannel> queued = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(s), 1); // never accepts: its queue fills
            for (int i = 0; i < 64; i++) {
                SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                c.configureBlocking(false);
                try {
                    c.connect(UnixDomainSocketAddress.of(s));
                    queued.add(c);
                } catch (IOException full) {
                    c.close();
                    break;
                }
            }
            assertThat(queued).as("the queue holds a few, then refuses").hasSizeLessThan(64);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> ControlSocket.ask(s, "show", Duration.ofMillis(400), 1024))
                    .isInstanceOf(SocketTimeoutException.class)
                    .hasMessage(s + ": the daemon accepted no connection within 0.4 s (to send 'show')");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(350L, 3_000L);
            // a place comes free while the client waits: it connects and gets its answer
            CompletableFuture<String> answered = CompletableFuture.supplyAsync(() -> {
                try {
                    return ControlSocket.ask(s, "show", Duration.ofSeconds(10), 1024);
                } catch (IOException e) {
                    return e.toString();
                }
            });
            Thread.sleep(300);
            for (SocketChannel c : queued) {
                c.close();
            }
            for (int i = 0; i <= queued.size(); i++) { // the closed ones first, then the waiting client
                try (SocketChannel c = server.accept()) {
                    ByteBuffer b = ByteBuffer.allocate(64);
                    if (c.read(b) > 0) {
                        c.write(ByteBuffer.wrap("here\n".getBytes(StandardCharsets.UTF_8)));
                        break;
                    }
                }
            }
            assertThat(answered.get(10, TimeUnit.SECONDS)).isEqualTo("here\n");
        } finally {
            for (SocketChannel c : queued) {
                c.close();
            }
        }
    }

    @Test
    void askCutKeepsTheFirstBytesOfALongAnswerAndSaysSo() throws Exception {
        Path s = dir.resolve("d.ctl");
        serve(s, c -> "x".repeat(5000).getBytes(StandardCharsets.UTF_8), 0);
        assertThat(ControlSocket.askCut(s, "show route all", Duration.ofSeconds(5), 4096))
                .isEqualTo("x".repeat(4096) + "\n... (cut at 4096 bytes)\n");
    }

    @Test
    void anInterruptedCallerStopsWaiting() throws Exception {
        Path s = dir.resolve("d.ctl");
        serve(s, c -> null, 3_000);
        Thread.currentThread().interrupt();
        try {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> ControlSocket.ask(s, "show", Duration.ofSeconds(5), 1024))
                    .isInstanceOf(java.io.InterruptedIOException.class)
                    .isNotInstanceOf(SocketTimeoutException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2_000);
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void anAnswerOverTheLimitIsRefused() throws Exception {
        Path s = dir.resolve("d.ctl");
        serve(s, c -> new byte[5000], 0);
        assertThatThrownBy(() -> ControlSocket.ask(s, "show", Duration.ofSeconds(5), 4096))
                .isInstanceOf(IOException.class)
                .hasMessage(s + ": the answer to 'show' is longer than 4096 bytes");
    }

    @Test
    void noPathAndASocketNobodyAcceptsOnMeanNoListener() throws Exception {
        Path none = dir.resolve("none.ctl");
        assertThatThrownBy(() -> ControlSocket.ask(none, "reload", Duration.ofSeconds(1), 1024))
                .isInstanceOf(ControlSocket.NoListener.class)
                .hasMessage(none + ": no control socket");
        Path left = dir.resolve("left.ctl");
        ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        gone.bind(UnixDomainSocketAddress.of(left));
        gone.close(); // the file stays, as a daemon that exited leaves it
        assertThat(left).exists();
        assertThatThrownBy(() -> ControlSocket.ask(left, "reload", Duration.ofSeconds(1), 1024))
                .isInstanceOf(ControlSocket.NoListener.class)
                .hasMessageContaining("nobody accepts on it");
    }

    @Test
    void aFileThatIsNotASocketIsRefusedWithoutConnecting() throws Exception {
        Path f = Files.writeString(dir.resolve("plain.ctl"), "x");
        assertThatThrownBy(() -> ControlSocket.ask(f, "reload", Duration.ofSeconds(1), 1024))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(ControlSocket.NoListener.class)
                .hasMessage(f + ": not a socket");
    }

    @Test
    void oneLineKeepsEveryCharacterVisible() {
        assertThat(OneLine.of("a\nb\rc")).isEqualTo("a\\nb\\rc");
        assertThat(OneLine.of(null)).isEqualTo("(no message)");
    }
}
