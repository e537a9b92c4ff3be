package org.calicojava.felix.rules;

import java.util.List;

/** The policies of one tier that apply to an endpoint, in order. */
public record TierPolicies(String tier, List<String> policies) {
    public TierPolicies {
        policies = List.copyOf(policies);
    }

    public static String policyId(String tier, String policy) {
        return tier + "." + policy;
    }
}
