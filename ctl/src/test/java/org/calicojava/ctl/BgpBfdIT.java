package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code javactl bgp bfd} against the real etcd: the global record, a node's override, refusals that write nothing. */
class BgpBfdIT {
    private final Cli cli = new Cli();

    @AfterEach
    void close() {
        cli.close();
    }

    @Test
    void globalAndNodeSettings() {
        assertThat(cli.ok("bgp", "bfd")).isEqualTo("off\n");
        assertThat(cli.ok("bgp", "bfd", "on")).isEqualTo("BFD on (interval 100 ms, multiplier 3)\n");
        assertThat(cli.get(cli.keys.bgpBfd()))
                .isEqualTo(
                        "{\"enabled\":true,\"min_rx_ms\":100,\"min_tx_ms\":100,\"multiplier\":3,\"graceful\":false}");
        assertThat(cli.ok("bgp", "bfd", "on", "--interval-ms", "50", "--multiplier", "5"))
                .isEqualTo("BFD on (interval 50 ms, multiplier 5)\n");
        assertThat(cli.ok("bgp", "bfd")).isEqualTo("on (interval 50 ms, multiplier 5)\n");
        assertThat(cli.ok("bgp", "bfd", "off")).isEqualTo("BFD off\n");
        assertThat(cli.get(cli.keys.bgpBfd()))
                .contains("\"enabled\":false")
                .contains("\"min_rx_ms\":50"); // timers kept

        cli.ok("node", "add", "--name", "h1", "--ip", "192.0.2.11");
        assertThat(cli.ok("bgp", "bfd", "--node", "h1")).isEqualTo("default (global: off)\n");
        assertThat(cli.ok("bgp", "bfd", "on", "--node", "h1", "--graceful"))
                .isEqualTo("BFD on (interval 50 ms, multiplier 5, graceful) for node h1\n");
        assertThat(cli.get(cli.keys.bgpHostBfd("h1")))
                .contains("\"enabled\":true")
                .contains("\"graceful\":true");
        assertThat(cli.ok("bgp", "bfd", "default", "--node", "h1")).isEqualTo("BFD for node h1: the global setting\n");
        assertThat(cli.get(cli.keys.bgpHostBfd("h1"))).isNull();
    }

    @Test
    void badInputIsOneLineAndWritesNothing() {
        for (String[] args : new String[][] {
            {"bgp", "bfd", "on", "--interval-ms", "0"},
            {"bgp", "bfd", "on", "--multiplier", "256"},
            {"bgp", "bfd", "maybe"},
            {"bgp", "bfd", "--multiplier", "3"},
            {"bgp", "bfd", "default"},
            {"bgp", "bfd", "on", "--node", "bad/name"}
        }) {
            Cli.Result r = cli.run(args);
            assertThat(r.code()).as(String.join(" ", args)).isNotZero();
            assertThat(r.err().strip())
                    .as(String.join(" ", args))
                    .doesNotContain("\n")
                    .isNotEmpty();
            assertThat(r.out()).isEmpty();
        }
        assertThat(cli.run("bgp", "bfd", "on", "--interval-ms", "0").err())
                .contains("bfd min_rx_ms: 0 (expected: 1..60000)");
        assertThat(cli.get(cli.keys.bgpBfd())).isNull();
        cli.etcd.put(cli.keys.bgpBfd(), "{\"enabled\":true,\"multiplier\":0}");
        assertThat(cli.run("bgp", "bfd").err()).contains("holds an invalid value");
    }
}
