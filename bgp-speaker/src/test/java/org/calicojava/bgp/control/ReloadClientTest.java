package org.calicojava.bgp.control;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outcomes of {@code bgp-speaker --reload} against sockets served by the test (the real speaker: SpeakerReloadIT). */
class ReloadClientTest {
    @TempDir
    Path dir;

    private Path serve(String answer, long holdMs) throws IOException {
        Path socket = dir.resolve("bgp-speaker.ctl");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        CompletableFuture.runAsync(() -> {
            try (server;
                    SocketChannel c = server.accept()) {
                c.read(ByteBuffer.allocate(64));
                if (answer != null) {
                    c.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)));
                }
                Thread.sleep(holdMs);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        return socket;
    }

    @Test
    void reloaded() throws Exception {
        Path s = serve("reloaded /etc/calico-java/bgp-speaker.yaml\n", 0);
        assertThat(ReloadClient.reload(s, Duration.ofSeconds(5)))
                .isEqualTo(new ReloadClient.Outcome(
                        ReloadClient.Kind.RELOADED, "reloaded /etc/calico-java/bgp-speaker.yaml"));
    }

    @Test
    void aRefusalIsAFailureWithTheSpeakersLine() throws Exception {
        Path s = serve("error: reload refused: routerId changed (needs a restart)\n", 0);
        assertThat(ReloadClient.reload(s, Duration.ofSeconds(5)))
                .isEqualTo(new ReloadClient.Outcome(
                        ReloadClient.Kind.FAILED, s + ": error: reload refused: routerId changed (needs a restart)"));
    }

    @Test
    void aSpeakerThatNeverAnswersIsAFailureThatSaysSo() throws Exception {
        Path s = serve(null, 3_000);
        assertThat(ReloadClient.reload(s, Duration.ofMillis(300)))
                .isEqualTo(
                        new ReloadClient.Outcome(ReloadClient.Kind.FAILED, s + ": no answer to 'reload' within 0.3 s"));
    }

    @Test
    void noSocketMeansNoSpeaker() {
        Path s = dir.resolve("none.ctl");
        assertThat(ReloadClient.reload(s, Duration.ofSeconds(1)))
                .isEqualTo(new ReloadClient.Outcome(
                        ReloadClient.Kind.NO_SPEAKER, s + ": no control socket, no bgp-speaker to reload"));
    }
}
