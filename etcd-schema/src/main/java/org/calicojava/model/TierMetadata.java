package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code /calico/v1/policy/tier/<tier>/metadata} = {"order":n}; lower order is applied first, null last. */
public record TierMetadata(@JsonProperty("order") Double order) {
    public TierMetadata {
        checkOrder("tier order", order);
    }

    /** An order is absent (null: last) or a finite number. */
    static void checkOrder(String what, Double order) {
        if (order != null && !Double.isFinite(order)) {
            throw new IllegalArgumentException(what + ": " + order + " (expected: a finite number)");
        }
    }
}
