package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code /calico/v1/policy/tier/<tier>/policy/<name>} = {"selector","order","inbound_rules","outbound_rules"}. */
public record Policy(
        @JsonProperty("selector") String selector,
        @JsonProperty("order") Double order,
        @JsonProperty("inbound_rules") List<Rule> inboundRules,
        @JsonProperty("outbound_rules") List<Rule> outboundRules) {
    public Policy {
        selector = selector == null ? "all()" : selector;
        Selector.parse(selector);
        TierMetadata.checkOrder("policy order", order);
        inboundRules = ProfileRules.rules("inbound_rules", inboundRules);
        outboundRules = ProfileRules.rules("outbound_rules", outboundRules);
    }
}
