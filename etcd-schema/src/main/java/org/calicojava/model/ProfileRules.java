package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** {@code /calico/v1/policy/profile/<name>/rules} = {"inbound_rules":[...],"outbound_rules":[...]}. */
public record ProfileRules(
        @JsonProperty("inbound_rules") List<Rule> inboundRules,
        @JsonProperty("outbound_rules") List<Rule> outboundRules) {
    public ProfileRules {
        inboundRules = inboundRules == null ? List.of() : List.copyOf(inboundRules);
        outboundRules = outboundRules == null ? List.of() : List.copyOf(outboundRules);
    }

    /** Calico's default for a new profile: allow inbound from members (tag = name), allow all outbound. */
    public static ProfileRules defaultFor(String profile) {
        Rule.Builder in = Rule.builder();
        in.srcTag = profile;
        return new ProfileRules(List.of(in.build()), List.of(Rule.builder().build()));
    }
}
