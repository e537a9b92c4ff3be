package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EtcdDownIT {
    @Test
    void clearErrorWithinFiveSecondsNotAHang() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        StringWriter err = new StringWriter();
        long t0 = System.nanoTime();
        int code = Main.run(
                new String[] {"--etcd-endpoints", "http://127.0.0.1:" + port, "pool", "show"},
                new PrintWriter(new StringWriter()),
                new PrintWriter(err, true));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString())
                .isEqualTo("Error: etcd at http://127.0.0.1:" + port + " is unreachable (connection refused)\n");
    }

    /** An etcd that accepts the connection but never answers (a listening socket nobody reads). */
    @Test
    void silentEndpointTimesOut() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            StringWriter err = new StringWriter();
            long t0 = System.nanoTime();
            int code = Main.run(
                    new String[] {"--etcd-endpoints", "http://127.0.0.1:" + s.getLocalPort(), "pool", "show"},
                    new PrintWriter(new StringWriter()),
                    new PrintWriter(err, true));
            assertThat(Duration.ofNanos(System.nanoTime() - t0))
                    .isLessThan(Duration.ofSeconds(15)); // the 4 s timeout, not a hang (generous: a loaded machine)
            assertThat(code).isEqualTo(1);
            assertThat(err.toString())
                    .startsWith("Error: etcd at http://127.0.0.1:" + s.getLocalPort() + " is unreachable");
        }
    }
}
