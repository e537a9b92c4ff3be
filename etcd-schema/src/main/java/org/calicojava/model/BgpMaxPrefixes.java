package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Set;

/**
 * A peer's {@code "max_prefixes"}: how many prefixes per address family we take from it. Stored as a number
 * ({@code 1000}: action stop, restart after 60 s) or an object {@code {"limit":1000,"action":"stop|warn|drop",
 * "restart_after_s":60}} (both later fields optional). Rendered as the speaker's {@code maxPrefixes} and BIRD's
 * {@code import limit}.
 */
public record BgpMaxPrefixes(
        @JsonProperty("limit") long limit,
        @JsonProperty("action") String action,
        @JsonProperty("restart_after_s") Integer restartAfterS) {
    public static final long MAX_LIMIT = 100_000_000;
    public static final int DEFAULT_RESTART_AFTER_S = 60;
    public static final int MAX_RESTART_AFTER_S = 86_400;
    private static final Set<String> ACTIONS = Set.of("stop", "warn", "drop");

    @JsonCreator
    public BgpMaxPrefixes {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("max_prefixes limit: " + limit + " (expected: 1.." + MAX_LIMIT + ")");
        }
        if (action == null) {
            action = "stop";
        }
        if (!ACTIONS.contains(action)) {
            throw new IllegalArgumentException(
                    "max_prefixes action: " + LogText.quote(action) + " (expected: stop, warn or drop)");
        }
        if (restartAfterS == null) {
            restartAfterS = DEFAULT_RESTART_AFTER_S;
        }
        if (restartAfterS < 0 || restartAfterS > MAX_RESTART_AFTER_S) {
            throw new IllegalArgumentException(
                    "max_prefixes restart_after_s: " + restartAfterS + " (expected: 0.." + MAX_RESTART_AFTER_S + ")");
        }
    }

    /** The short form: a bare number is a limit with action stop, restart after 60 s. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static BgpMaxPrefixes of(long limit) {
        return new BgpMaxPrefixes(limit, null, null);
    }
}
