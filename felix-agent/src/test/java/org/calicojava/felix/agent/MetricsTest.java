package org.calicojava.felix.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void countersAndGaugesInTheTextFormat() {
        Metrics m = new Metrics();
        m.inc("felix_resyncs");
        m.add("felix_drift_repairs", 3);
        m.addSeconds("felix_iptables_restore_seconds", 0.25);
        m.gauge("felix_route_conflicts", 2);
        String text = m.render();
        assertThat(text)
                .contains(
                        "# TYPE felix_resyncs_total counter",
                        "felix_resyncs_total 1.0",
                        "felix_drift_repairs_total 3.0",
                        "felix_iptables_restore_seconds_total 0.25",
                        "# TYPE felix_route_conflicts gauge",
                        "felix_route_conflicts 2.0",
                        "# HELP felix_ipsets ipsets programmed");
        assertThat(m.counter("felix_drift_repairs")).isEqualTo(3);
    }

    @Test
    void anUndeclaredNameIsRefused() {
        Metrics m = new Metrics();
        assertThatThrownBy(() -> m.inc("felix_typo")).hasMessageContaining("no felix counter felix_typo");
        assertThatThrownBy(() -> m.gauge("felix_resyncs", 1)).hasMessageContaining("no felix gauge felix_resyncs");
    }

    @Test
    void servedOverHttpOnTheGivenHost() throws Exception {
        Metrics m = new Metrics();
        m.inc(Metrics.INVALID_RECORDS);
        try (HTTPServer s = m.serve("127.0.0.1", 0)) {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.getPort() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains(Metrics.INVALID_RECORDS + "_total 1.0");
        }
    }
}
