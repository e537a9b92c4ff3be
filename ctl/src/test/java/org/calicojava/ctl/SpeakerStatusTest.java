package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code node status} against a speaker's control socket served by the test: a good answer, and a hung speaker. */
class SpeakerStatusTest {
    @TempDir
    Path dir;

    private static void serve(ServerSocketChannel server, String answer, long holdMs) {
        CompletableFuture.runAsync(() -> {
            try (server;
                    SocketChannel c = server.accept()) {
                c.read(ByteBuffer.allocate(256)); // the command line
                if (answer != null) {
                    c.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)));
                }
                Thread.sleep(holdMs);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private ServerSocketChannel bind(Path socket) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(socket));
        return s;
    }

    @Test
    void theSessionsFromTheSpeakersAnswer() throws Exception {
        Path socket = dir.resolve("bgp-speaker.ctl");
        serve(
                bind(socket),
                "[{\"address\":\"10.0.0.2\",\"type\":\"node-to-node mesh\",\"state\":\"Established\",\"since\":\"12:00\","
                        + "\"info\":\"\",\"bfd\":\"Up\"}]\n",
                0);
        assertThat(NodeStatus.fromSpeaker(socket, Duration.ofSeconds(5)))
                .containsExactly(
                        new NodeStatus.Session("10.0.0.2", "node-to-node mesh", "Established", "12:00", "", "Up"));
    }

    @Test
    void aSpeakerThatNeverAnswersEndsTheCommandWithOneLine() throws Exception {
        Path socket = dir.resolve("bgp-speaker.ctl");
        serve(bind(socket), null, 5_000);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> NodeStatus.fromSpeaker(socket, Duration.ofMillis(400)))
                .isInstanceOf(UserException.class)
                .hasMessage("cannot read the BGP speaker's control socket: " + socket
                        + ": no answer to 'show protocols json' within 0.4 s");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(4_000);
    }
}
