package org.calicojava.unixhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.unix.PeerCredentials;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.calicojava.netlink.SocketAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server on a real unix socket: clients that connect and send nothing, or drip a request, are closed at the
 * request deadline and free their slots; a request that takes longer than the deadline to run is still answered, and
 * its kept-alive connection gets a new deadline from its answer.
 */
@Timeout(30) // without the deadline the silent client's read never returns
class RequestDeadlineTest {
    private static final Duration DEADLINE = Duration.ofMillis(700);

    @TempDir
    Path tmp;

    private UnixHttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = new UnixHttpServer(
                tmp.resolve("s.sock"),
                new SocketAccess(null),
                new UnixHttpServer.Options("test socket", 2, 2, 1024, Duration.ofSeconds(5), DEADLINE),
                new UnixHttpServer.App() {
                    @Override
                    public FullHttpResponse handle(FullHttpRequest req) {
                        if (req.uri().equals("/slow")) {
                            sleep(3 * DEADLINE.toMillis());
                        }
                        return text(HttpResponseStatus.OK, "ok " + req.uri());
                    }

                    @Override
                    public String refuse(PeerCredentials c) {
                        return null;
                    }

                    @Override
                    public FullHttpResponse denied(String why) {
                        return text(HttpResponseStatus.FORBIDDEN, why);
                    }

                    @Override
                    public FullHttpResponse malformed(String why) {
                        return text(HttpResponseStatus.BAD_REQUEST, why);
                    }

                    @Override
                    public FullHttpResponse tooLarge(int maxBody) {
                        return text(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "too large");
                    }
                });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        return new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private SocketChannel connect() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(server.socket()));
        return ch;
    }

    private static void write(SocketChannel ch, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Reads until the server closes the connection (-1) or an answer's body "ok ..." arrives; returns what came. */
    private static String readAnswerOrEnd(SocketChannel ch) throws IOException {
        StringBuilder got = new StringBuilder();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (!got.toString().contains("ok /")) {
            buf.clear();
            if (ch.read(buf) < 0) {
                return got.append("<closed>").toString();
            }
            got.append(new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII));
        }
        return got.toString();
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }

    @Test
    void silentAndDrippingClientsAreClosedAndFreeTheirSlots() throws Exception {
        List<SocketChannel> idle = new ArrayList<>();
        try {
            SocketChannel silent = connect();
            SocketChannel dripping = connect();
            idle.add(silent);
            idle.add(dripping);
            long t0 = System.nanoTime();
            String request = "GET /drip HTTP/1.1\r\nHost: x\r\nX-Slow: " + "y".repeat(200); // never finished
            int sent = 0;
            try {
                for (; sent < request.length(); sent++) { // a byte every 20 ms: the deadline comes first
                    write(dripping, request.substring(sent, sent + 1));
                    sleep(20);
                }
            } catch (IOException closedByTheServer) {
                // expected: the write after the close fails
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(sent).as("bytes sent before the close").isLessThan(request.length());
            assertThat(ms).isBetween(DEADLINE.toMillis() - 50, 10 * DEADLINE.toMillis());
            assertThat(readAnswerOrEnd(silent)).isEqualTo("<closed>");
            // both slots (maxClients 2) are free again: a new client is served
            try (SocketChannel c = connect()) {
                write(c, get("/after"));
                assertThat(readAnswerOrEnd(c)).contains("200 OK", "ok /after");
            }
        } finally {
            for (SocketChannel c : idle) {
                c.close();
            }
        }
    }

    @Test
    void aSlowRequestIsAnsweredAndItsConnectionKeptUntilTheNextDeadline() throws Exception {
        try (SocketChannel c = connect()) {
            write(c, get("/slow")); // runs 3 deadlines long
            assertThat(readAnswerOrEnd(c)).contains("200 OK", "ok /slow");
            sleep(DEADLINE.toMillis() / 10); // idle a little: a loaded machine must not make it a full deadline
            write(c, get("/again")); // the same connection, within the deadline counted from the answer
            assertThat(readAnswerOrEnd(c)).contains("200 OK", "ok /again");
            assertThat(readAnswerOrEnd(c)).isEqualTo("<closed>"); // then idle past the deadline: closed
        }
    }
}
