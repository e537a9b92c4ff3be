package org.calicojava.felix.encap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.calicojava.felix.calc.Calculator;
import org.calicojava.felix.calc.DatastoreState;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.FelixConfig;
import org.calicojava.felix.nft.NftRuleRenderer;
import org.calicojava.felix.rules.ChainNames;
import org.calicojava.felix.rules.Rule;
import org.calicojava.model.Keys;
import org.junit.jupiter.api.Test;

class IpipPolicyTest {
    final DesiredDataplane base =
            new Calculator(p -> {}).calculate(new DatastoreState(new Keys(), "h1"), FelixConfig.defaults());

    @Test
    void offLeavesTheCalculatedDataplaneAlone() {
        assertThat(new IpipPolicy().apply(base, IpipPolicy.State.OFF)).isSameAs(base);
    }

    @Test
    void onAddsTheHostSetAndDropsOtherProtocol4FirstInInput() {
        IpipPolicy policy = new IpipPolicy();
        DesiredDataplane d = policy.apply(base, new IpipPolicy.State(true, Set.of("192.0.2.1/32", "192.0.2.2/32")));
        Rule first = d.filter().get(ChainNames.INPUT).rules().get(0);
        assertThat(first.matchText()).isEqualTo("-p 4 -m set ! --match-set cali4-all-hosts-net src");
        assertThat(first.actionText()).isEqualTo("-j DROP");
        assertThat(d.filter()
                        .get(ChainNames.INPUT)
                        .rules()
                        .subList(1, d.filter().get(ChainNames.INPUT).rules().size()))
                .isEqualTo(base.filter().get(ChainNames.INPUT).rules());
        assertThat(d.ipsets().get(IpipPolicy.HOSTS_SET).members())
                .containsExactlyInAnyOrder("192.0.2.1/32", "192.0.2.2/32");
        assertThat(d.ipsets().get(IpipPolicy.HOSTS_SET).version()).isEqualTo(4);
        assertThat(d.filter6()).isEqualTo(base.filter6()); // IPv4 only
        assertThat(NftRuleRenderer.render(first)).isEqualTo("meta l4proto 4 ip saddr != @cali4-all-hosts-net drop");

        // unchanged inputs: the same chain and set objects (the backends' diffs skip them)
        DesiredDataplane again = policy.apply(base, new IpipPolicy.State(true, Set.of("192.0.2.2/32", "192.0.2.1/32")));
        assertThat(again.filter().get(ChainNames.INPUT)).isSameAs(d.filter().get(ChainNames.INPUT));
        assertThat(again.ipsets().get(IpipPolicy.HOSTS_SET)).isSameAs(d.ipsets().get(IpipPolicy.HOSTS_SET));
        DesiredDataplane more = policy.apply(base, new IpipPolicy.State(true, Set.of("192.0.2.3/32")));
        assertThat(more.ipsets().get(IpipPolicy.HOSTS_SET).members()).containsExactly("192.0.2.3/32");
    }
}
