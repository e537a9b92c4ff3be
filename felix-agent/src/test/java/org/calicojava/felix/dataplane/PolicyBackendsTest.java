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
    void settingComesFromEnvironmentOverDatastoreAndDefaultsToAuto() {
        assertThat(FelixConfig.defaults().dataplaneBackend()).isEqualTo("auto");
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
    void autoAsksTheDetectionOnlyForAuto() {
        List<String> asked = new ArrayList<>();
        java.util.function.Supplier<AutoBackend.Choice> auto = () -> {
            asked.add("auto");
            return new AutoBackend.Choice("nftables", "nothing else at the forward hook");
        };
        assertThat(PolicyBackends.resolve("auto", auto))
                .isEqualTo(
                        new AutoBackend.Choice("nftables", "DataplaneBackend auto: nothing else at the forward hook"));
        assertThat(PolicyBackends.resolve("iptables", auto).backend()).isEqualTo("iptables");
        assertThat(PolicyBackends.resolve("nftables", auto).backend()).isEqualTo("nftables");
        assertThat(asked).hasSize(1);
        CommandRunner works = (argv, stdin, timeout) -> new CommandRunner.Result(0, "", "");
        assertThat(PolicyBackends.create("nftables", works, "auto", new Metrics(), null))
                .isInstanceOf(NftBackend.class);
        assertThat(PolicyBackends.create("iptables", works, "legacy", new Metrics(), null)
                        .name())
                .isEqualTo("iptables");
    }
}
