package org.calicojava.felix.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * felix's health server on a real loopback port: clients that send part of a request and wait stall no probe, however
 * many; the answers to every kind of request, read as bytes.
 */
@Timeout(30)
class HealthServerTest {
    @Test
    void aSilentClientDoesNotStallTheProbes() throws Exception {
        try (HealthServer h = HealthServer.health("127.0.0.1", 0, () -> true, () -> false);
                Socket slow = new Socket("127.0.0.1", h.port())) {
            OutputStream o = slow.getOutputStream();
            o.write('G'); // and nothing more
            o.flush();
            Thread.sleep(200);
            HttpClient c = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();
            for (String path : new String[] {"/liveness", "/readiness"}) {
                HttpResponse<String> r = c.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.port() + path))
                                .timeout(Duration.ofSeconds(3))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(path.equals("/liveness") ? 200 : 503);
            }
            // and the JDK server's limits were set before its first server: the slow client is cut off
            assertThat(System.getProperty("sun.net.httpserver.maxReqTime")).isEqualTo("10");
            slow.setSoTimeout(20_000);
            InputStream in = slow.getInputStream();
            long t0 = System.nanoTime();
            byte[] rest = in.readAllBytes(); // returns when the server closes the connection
            long s = (System.nanoTime() - t0) / 1_000_000_000L;
            assertThat(new String(rest, StandardCharsets.US_ASCII)).doesNotContain("live");
            assertThat(s).isLessThanOrEqualTo(15);
        }
    }

    @Test
    void aHundredClientsHalfWayThroughARequestStallNoProbe() throws Exception {
        try (HealthServer h = HealthServer.health("127.0.0.1", 0, () -> true, () -> true)) {
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 100; i++) {
                    Socket s = new Socket("127.0.0.1", h.port());
                    s.getOutputStream()
                            .write("GET /liveness HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                    slow.add(s);
                }
                Thread.sleep(200);
                for (int i = 0; i < 3; i++) {
                    long t0 = System.nanoTime();
                    assertThat(raw(h, "GET /liveness HTTP/1.1\r\nHost: x\r\n\r\n"))
                            .startsWith("HTTP/1.1 200 OK\r\n")
                            .endsWith("\r\n\r\nlive\n");
                    assertThat((System.nanoTime() - t0) / 1_000_000)
                            .as("ms to answer the probe")
                            .isLessThan(1_000);
                }
                // the oldest were closed to make room for the probes (an answered probe frees its place once it closes)
                int closed = 0;
                for (Socket s : slow) {
                    s.setSoTimeout(50);
                    try {
                        if (s.getInputStream().read() < 0) {
                            closed++;
                        }
                    } catch (java.net.SocketTimeoutException | java.net.SocketException e) {
                        closed += e instanceof java.net.SocketException ? 1 : 0;
                    }
                }
                assertThat(closed).isBetween(100 - HealthServer.MAX_CLIENTS + 1, 100 - HealthServer.MAX_CLIENTS + 3);
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
            }
        }
    }

    @Test
    void eachKindOfRequestGetsItsAnswer() throws Exception {
        boolean[] live = {false};
        try (HealthServer h = HealthServer.health("127.0.0.1", 0, () -> live[0], () -> true)) {
            assertThat(raw(h, "GET /liveness HTTP/1.1\r\n\r\n"))
                    .isEqualTo("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; version=0.0.4\r\n"
                            + "Content-Length: 9\r\nConnection: close\r\n\r\nnot live\n");
            live[0] = true;
            assertThat(raw(h, "GET /liveness?verbose=1 HTTP/1.0\n\n"))
                    .startsWith("HTTP/1.1 200 OK")
                    .endsWith("live\n");
            assertThat(raw(h, "HEAD /readiness HTTP/1.1\r\n\r\n"))
                    .startsWith("HTTP/1.1 200 OK")
                    .contains("Content-Length: 6\r\n")
                    .endsWith("\r\n\r\n");
            assertThat(raw(h, "GET /metrics HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 404 Not Found");
            assertThat(raw(h, "POST /liveness HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 405 Method Not Allowed");
            assertThat(raw(h, "GET /liveness\r\n\r\n")).startsWith("HTTP/1.1 400 Bad Request");
            assertThat(raw(h, "GET /liveness HTTP/1.1\r\nX: " + "a".repeat(HealthServer.MAX_REQUEST) + "\r\n\r\n"))
                    .startsWith("HTTP/1.1 431 ");
        }
    }

    @Test
    void bytesLeftUnreadDoNotTurnTheAnswerIntoAReset() throws Exception {
        try (HealthServer h = HealthServer.health("127.0.0.1", 0, () -> true, () -> true)) {
            for (int i = 0; i < 20; i++) {
                // a body the server never reads, sent before the answer is read: closing at once would reset
                String body = "b".repeat(200_000);
                assertThat(raw(h, "GET /readiness HTTP/1.1\r\nContent-Length: 200000\r\n\r\n" + body))
                        .startsWith("HTTP/1.1 200 OK")
                        .endsWith("ready\n");
                assertThat(raw(h, "GET /x HTTP/1.1\r\nX: " + "a".repeat(50_000) + "\r\n\r\n"))
                        .startsWith("HTTP/1.1 431 ")
                        .endsWith("request too long\n");
            }
        }
    }

    @Test
    void anErrorStopsTheServerAndClosesItsPortSoProbesFailAtOnce() throws Exception {
        boolean[] broken = {false};
        try (HealthServer h = HealthServer.health(
                "127.0.0.1",
                0,
                () -> {
                    if (broken[0]) {
                        throw new StackOverflowError("a check that broke");
                    }
                    return true;
                },
                () -> true)) {
            assertThat(raw(h, "GET /liveness HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200 OK");
            int port = h.port();
            broken[0] = true;
            assertThat(raw(h, "GET /liveness HTTP/1.1\r\nHost: x\r\n\r\n"))
                    .as("no answer to the probe that met the Error")
                    .doesNotContain("HTTP/1.1");
            // the port is closed, not left open and unserved: the next probe is refused rather than timed out
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            boolean refused = false;
            while (!refused && System.nanoTime() < deadline) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    Thread.sleep(20);
                } catch (java.net.ConnectException e) {
                    refused = true;
                }
            }
            assertThat(refused).as("connection refused on port " + port).isTrue();
        }
    }

    /** Sends {@code request} and returns every byte of the answer, until the server closes. */
    private static String raw(HealthServer h, String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", h.port())) {
            s.setSoTimeout(5_000);
            byte[] b = request.getBytes(StandardCharsets.US_ASCII);
            try {
                s.getOutputStream().write(b);
            } catch (java.net.SocketException e) {
                // the server answered and shut its side before taking everything: read what it sent
            }
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        } catch (java.net.SocketException e) {
            return "reset: " + e.getMessage();
        }
    }
}
