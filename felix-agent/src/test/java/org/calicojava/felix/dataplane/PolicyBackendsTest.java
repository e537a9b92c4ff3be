package org.calicojava.felix.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calicojava.felix.agent.Metrics;
import org.calicojava.felix.calc.FelixConfig;
import org.calicojava.felix.nft.NftBackend;
import org.calicojava.process.CommandRunner;
import org.junit.jupiter.api.Test;

/** DataplaneBackend: the setting, its sources, and how auto decides (with a fake nft). */
class PolicyBackendsTest {
    @Test
    void settingComesFromEnvironmentOverDatastoreAndDefaultsToIptables() {
        assertThat(FelixConfig.defaults().dataplaneBackend()).isEqualTo("iptables");
        assertThat(FelixConfig.of(Map.of(), Map.of(), Map.of("DataplaneBackend", "NFTables"))
                        .dataplaneBackend())
                .isEqualTo("nftables");
        assertThat(FelixConfig.of(
                                Map.of("FELIX_DATAPLANEBACKEND", "auto"),
                                Map.of(),
                                Map.of("DataplaneBackend", "nftables"))
                        .dataplaneBackend())
                .isEqualTo("auto");
        assertThatThrownBy(() -> FelixConfig.of(Map.of(), Map.of(), Map.of("DataplaneBackend", "ebpf")))
                .hasMessage("DataplaneBackend: \"ebpf\" (expected: auto, iptables or nftables)");
    }

    @Test
    void autoPicksNftablesWhenACheckOnlyTransactionWorks() {
        List<List<String>> calls = new ArrayList<>();
        CommandRunner works = (argv, stdin, timeout) -> {
            calls.add(argv);
            return new CommandRunner.Result(0, "", "");
        };
        CommandRunner missing =
                (argv, stdin, timeout) -> new CommandRunner.Result(-1, "", "nft: No such file or directory");
        assertThat(PolicyBackends.resolve("auto", works)).isEqualTo("nftables");
        assertThat(calls).containsExactly(List.of("nft", "-c", "add", "table", "inet", "calico"));
        assertThat(PolicyBackends.resolve("auto", missing)).isEqualTo("iptables");
        assertThat(PolicyBackends.resolve("iptables", works)).isEqualTo("iptables");
        assertThat(PolicyBackends.create("nftables", works, "auto", new Metrics(), null))
                .isInstanceOf(NftBackend.class);
        assertThat(PolicyBackends.create("iptables", works, "legacy", new Metrics(), null)
                        .name())
                .isEqualTo("iptables");
    }
}
