package org.calicojava.ctl.resource;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * A resource's {@code metadata}: its name, and labels where the kind stores them (WorkloadEndpoint, shown only).
 * {@code resourceVersion}, {@code creationTimestamp} and {@code uid} (calicoctl prints them) are accepted and ignored:
 * the v1 layout has no place for them.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Meta(
        String name, Map<String, String> labels, String resourceVersion, String creationTimestamp, String uid) {
    public Meta {
        labels = labels == null ? Map.of() : labels;
    }

    public static Meta named(String name) {
        return new Meta(name, null, null, null, null);
    }
}
