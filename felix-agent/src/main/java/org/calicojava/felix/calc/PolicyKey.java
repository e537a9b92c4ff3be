package org.calicojava.felix.calc;

/** A tiered policy: {@code /calico/v1/policy/tier/TIER/policy/NAME}. */
public record PolicyKey(String tier, String name) {}
