package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code /calico/v1/policy/profile/<name>/rules} = {"inbound_rules":[...],"outbound_rules":[...]}. */
public record ProfileRules(
        @JsonProperty("inbound_rules") List<Rule> inboundRules,
        @JsonProperty("outbound_rules") List<Rule> outboundRules) {
    /** At most this many rules per direction of a profile or policy. */
    public static final int MAX_RULES = 2000;

    public ProfileRules {
        inboundRules = rules("inbound_rules", inboundRules);
        outboundRules = rules("outbound_rules", outboundRules);
    }

    /** A rule list: null is empty; no null entries; at most {@value #MAX_RULES}. */
    static List<Rule> rules(String what, List<Rule> rules) {
        return Lists.bounded(what, rules, MAX_RULES);
    }

    /** {@code Json.read(json, ProfileRules.class)}, without databind for the plain shape ({@link LightJson#read}). */
    public static ProfileRules read(String json) {
        return LightJson.read(json, ProfileRules.class, ProfileRules::plain);
    }

    /** The rules of a plain document's root; throws for another shape (see {@link #read}). */
    static ProfileRules plain(Object root) {
        java.util.Map<?, ?> m = LightJson.object(root);
        return new ProfileRules(Rule.plainRules(m, "inbound_rules"), Rule.plainRules(m, "outbound_rules"));
    }

    /** Calico's default for a new profile: allow inbound from members (tag = name), allow all outbound. */
    public static ProfileRules defaultFor(String profile) {
        Rule.Builder in = Rule.builder();
        in.srcTag = profile;
        return new ProfileRules(List.of(in.build()), List.of(Rule.builder().build()));
    }
}
