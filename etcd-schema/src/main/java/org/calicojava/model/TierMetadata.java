package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code /calico/v1/policy/tier/<tier>/metadata} = {"order":n}; lower order is applied first, null last. */
public record TierMetadata(@JsonProperty("order") Double order) {
    public TierMetadata {
        checkOrder("tier order", order);
    }

    /** {@code Json.read(json, TierMetadata.class)}, without databind for the plain shape ({@link LightJson#read}). */
    public static TierMetadata read(String json) {
        return LightJson.read(json, TierMetadata.class, TierMetadata::plain);
    }

    /** The tier of a plain document's root; throws for another shape (see {@link #read}). */
    static TierMetadata plain(Object root) {
        return new TierMetadata(LightJson.decimal(LightJson.object(root), "order"));
    }

    /** An order is absent (null: last) or a finite number. */
    static void checkOrder(String what, Double order) {
        if (order != null && !Double.isFinite(order)) {
            throw new IllegalArgumentException(what + ": " + order + " (expected: a finite number)");
        }
    }
}
