package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code /calico/v1/policy/tier/<tier>/metadata} = {"order":n}; lower order is applied first, null last. */
public record TierMetadata(@JsonProperty("order") Double order) {
}
