package org.calicojava.felix.rules;

/** How a tiered policy is named in chain names: its tier, a dot, its name ({@code cali-pi-TIER.POLICY}). */
public final class TierPolicies {
    private TierPolicies() {}

    public static String policyId(String tier, String policy) {
        return tier + "." + policy;
    }
}
