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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** felix's health server on a real loopback port: a client that sends one byte and waits stalls no probe. */
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
}
