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

    /** {@code Json.read(json, Policy.class)}, without databind for the plain shape ({@link LightJson#read}). */
    public static Policy read(String json) {
        return LightJson.read(json, Policy.class, Policy::plain);
    }

    /** The policy of a plain document's root; throws for another shape (see {@link #read}). */
    static Policy plain(Object root) {
        java.util.Map<?, ?> m = LightJson.object(root);
        return new Policy(
                LightJson.text(m, "selector"),
                LightJson.decimal(m, "order"),
                Rule.plainRules(m, "inbound_rules"),
                Rule.plainRules(m, "outbound_rules"));
    }
}
