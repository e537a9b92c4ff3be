package org.calicojava.bgp.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The speaker's metrics through the Prometheus client: names, label escaping, gauges at scrape time, the HTTP endpoint. */
class MetricsTest {
    @Test
    void servesNamesWithTotalEscapedLabelsAndGauges() throws Exception {
        try (Metrics m = new Metrics()) {
            m.updateIn(InetAddress.getByName("192.0.2.1"));
            m.counter("bgp_test_events", "test", "why")
                    .labelValues("quote \" backslash \\ newline \n")
                    .inc();
            m.gauges(() -> Map.of("Established", 2, "Active", 1), () -> Map.of("loc", 7L));
            m.serve("127.0.0.1", 0);
            String text = new String(URI.create("http://127.0.0.1:" + m.port() + "/metrics")
                    .toURL()
                    .openStream()
                    .readAllBytes());
            assertThat(text)
                    .contains("bgp_updates_received_total{peer=\"192.0.2.1\"} 1.0\n")
                    .contains("bgp_test_events_total{why=\"quote \\\" backslash \\\\ newline \\n\"} 1.0\n")
                    .contains("bgp_sessions{state=\"Established\"} 2.0\n")
                    .contains("bgp_sessions{state=\"Active\"} 1.0\n")
                    .contains("bgp_rib_prefixes{rib=\"loc\"} 7.0\n");
        }
    }
}
