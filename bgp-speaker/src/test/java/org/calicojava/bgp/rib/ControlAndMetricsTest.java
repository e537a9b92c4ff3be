package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.calicojava.bgp.control.ControlServer;
import org.calicojava.bgp.metrics.Metrics;
import org.calicojava.bgp.session.Await;
import org.calicojava.testing.Ports;
import org.junit.jupiter.api.Test;

/** The control socket as javactl uses it (one line in, answer until EOF) and the Prometheus endpoint, over two real speakers. */
class ControlAndMetricsTest {
    final int port = Ports.free();
    final String net = "127.7." + (1 + ThreadLocalRandom.current().nextInt(250)) + ".";

    static String ask(Path socket, String line) throws Exception {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            c.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
            try (InputStream in = Channels.newInputStream(c)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    @Test
    void showProtocolsJsonShowRouteReloadAndMetrics() throws Exception {
        Path dir = Files.createTempDirectory("cj-ctl");
        Path sock = dir.resolve("bgp.ctl");
        String a = net + 1, b = net + 2;
        try (Node na = new Node(
                        a,
                        port,
                        Node.yaml(
                                a,
                                65000,
                                port,
                                List.of("{address: " + b + ", asNumber: 65000}"),
                                "originate: [10.1.0.0/24]"));
                Node nb = new Node(
                        b,
                        port,
                        Node.yaml(
                                b, 65000, port, List.of("{address: " + a + ", asNumber: 65000, passive: true}"), ""));
                ControlServer ctl = new ControlServer(sock, nb.rib, () -> "reloaded");
                Metrics m = new Metrics()) {
            ctl.start();
            Await.until("B has A's route", Duration.ofSeconds(30), () -> nb.best("10.1.0.0/24") != null);
            JsonNode rows = new ObjectMapper().readTree(ask(sock, "show protocols json"));
            assertThat(rows.isArray()).isTrue();
            JsonNode r = rows.get(0);
            assertThat(r.get("address").asText()).isEqualTo(a);
            assertThat(r.get("type").asText()).isEqualTo("ibgp");
            assertThat(r.get("state").asText()).isEqualTo("Established");
            assertThat(r.get("asNumber").asLong()).isEqualTo(65000);
            assertThat(r.get("since").asText()).matches("\\d\\d:\\d\\d:\\d\\d");
            assertThat(r.get("lastError").asText()).isEmpty();
            assertThat(r.get("received").asInt()).isEqualTo(1);
            assertThat(r.get("accepted").asInt()).isEqualTo(1);
            assertThat(r.has("advertised") && r.has("info") && r.has("name")).isTrue();
            assertThat(ask(sock, "show protocols")).contains("Peer").contains(a).contains("Established");
            assertThat(ask(sock, "show route 10.1.0.0/24 all"))
                    .contains("10.1.0.0/24")
                    .contains("* from " + a + " (ibgp)")
                    .contains("next_hop=" + a);
            assertThat(ask(sock, "show route 10.9.0.0/24")).contains("network not in table");
            assertThat(ask(sock, "reload")).isEqualTo("reloaded\n");
            assertThat(ask(sock, "frobnicate")).startsWith("error: unknown command: frobnicate");

            // what the RIBs themselves recorded: B received A's UPDATE with one prefix, A sent to B, both decided
            assertThat(nb.metrics.text())
                    .containsPattern("bgp_updates_received_total\\{peer=\"" + a.replace(".", "\\.") + "\"} [1-9]")
                    .contains("bgp_prefixes_received_total{peer=\"" + a
                            + "\"} 1.0\n") // the client writes counter values as doubles
                    .containsPattern("bgp_best_path_computations_total [1-9]");
            assertThat(na.metrics.text())
                    .containsPattern("bgp_updates_sent_total\\{peer=\"" + b.replace(".", "\\.") + "\"} [1-9]");

            m.gauges(
                    java.util.Map::of,
                    () -> java.util.Map.of("loc", nb.rib.sizes().get("loc")));
            m.bestPathRun();
            m.kernelOp("replace", 1_500_000);
            m.serve("127.0.0.1", 0);
            String text = new String(URI.create("http://127.0.0.1:" + m.port() + "/metrics")
                    .toURL()
                    .openStream()
                    .readAllBytes());
            assertThat(text)
                    .contains("bgp_best_path_computations_total 1")
                    .contains("bgp_kernel_route_operations_total{op=\"replace\"} 1")
                    .contains("bgp_kernel_route_seconds_total{op=\"replace\"} 0.0015")
                    .contains("bgp_rib_prefixes{rib=\"loc\"} 1");
        } finally {
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
    }
}
