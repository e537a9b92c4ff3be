package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * BFD for BGP sessions (issue 15): {@code /calico/bgp/v1/global/bfd} and the per-node override
 * {@code /calico/bgp/v1/host/<host>/bfd} (the node's record, when present, replaces the global one for that node's
 * sessions) = {@code {"enabled":true,"min_rx_ms":100,"min_tx_ms":100,"multiplier":3}}, with optional
 * {@code "graceful":true} (keep a peer's routes as stale on BFD Down when graceful restart was negotiated, BIRD's
 * {@code bfd graceful}). Missing numbers take the defaults 100, 100, 3.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BgpBfd(
        @JsonProperty("enabled") boolean enabled,
        @JsonProperty("min_rx_ms") Integer minRxMs,
        @JsonProperty("min_tx_ms") Integer minTxMs,
        @JsonProperty("multiplier") Integer multiplier,
        @JsonProperty("graceful") Boolean graceful) {
    public static final int DEFAULT_INTERVAL_MS = 100, DEFAULT_MULTIPLIER = 3, MAX_INTERVAL_MS = 60_000;

    @JsonCreator
    public BgpBfd {
        minRxMs = interval("min_rx_ms", minRxMs);
        minTxMs = interval("min_tx_ms", minTxMs);
        if (multiplier == null) {
            multiplier = DEFAULT_MULTIPLIER;
        }
        if (multiplier < 1 || multiplier > 255) {
            throw new IllegalArgumentException("bfd multiplier: " + multiplier + " (expected: 1..255)");
        }
        if (graceful == null) {
            graceful = false;
        }
    }

    /** On with the given interval (both directions) and multiplier. */
    public BgpBfd(boolean enabled, int intervalMs, int multiplier) {
        this(enabled, intervalMs, intervalMs, multiplier, false);
    }

    private static Integer interval(String name, Integer ms) {
        if (ms == null) {
            return DEFAULT_INTERVAL_MS;
        }
        if (ms < 1 || ms > MAX_INTERVAL_MS) {
            throw new IllegalArgumentException("bfd " + name + ": " + ms + " (expected: 1.." + MAX_INTERVAL_MS + ")");
        }
        return ms;
    }
}
