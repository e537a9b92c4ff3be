package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Bandwidth limits of one workload endpoint, {@code "qos"} in its record: {@code ingress_bandwidth} /
 * {@code egress_bandwidth} in bit/s, {@code ingress_burst} / {@code egress_burst} in bits (the names of Calico's and
 * Kubernetes' bandwidth annotations; ingress = traffic into the workload). A missing direction is unlimited; a burst
 * is given only with its rate. Records without {@code "qos"} read as before.
 */
public record WorkloadQos(
        @JsonProperty("ingress_bandwidth") Long ingressBandwidth,
        @JsonProperty("ingress_burst") Long ingressBurst,
        @JsonProperty("egress_bandwidth") Long egressBandwidth,
        @JsonProperty("egress_burst") Long egressBurst) {
    /** Rates from 1 kbit/s to 1 Tbit/s. */
    public static final long MIN_RATE = 1_000;

    public static final long MAX_RATE = 1_000_000_000_000L;
    /** Bursts from 2 KB (a full-size packet fits) to just under 4 GB (tc's 32-bit byte counts). */
    public static final long MIN_BURST = 16_000;

    public static final long MAX_BURST = 32_000_000_000L;

    public WorkloadQos {
        check("ingress_bandwidth", ingressBandwidth, MIN_RATE, MAX_RATE);
        check("egress_bandwidth", egressBandwidth, MIN_RATE, MAX_RATE);
        check("ingress_burst", ingressBurst, MIN_BURST, MAX_BURST);
        check("egress_burst", egressBurst, MIN_BURST, MAX_BURST);
        if (ingressBurst != null && ingressBandwidth == null) {
            throw new IllegalArgumentException("ingress_burst without ingress_bandwidth");
        }
        if (egressBurst != null && egressBandwidth == null) {
            throw new IllegalArgumentException("egress_burst without egress_bandwidth");
        }
        if (ingressBandwidth != null && ingressBurst == null) {
            ingressBurst = defaultBurst(ingressBandwidth);
        }
        if (egressBandwidth != null && egressBurst == null) {
            egressBurst = defaultBurst(egressBandwidth);
        }
    }

    /** A tenth of a second at the rate, within the burst bounds (a bucket a transfer empties quickly). */
    public static long defaultBurst(long rate) {
        return Math.max(MIN_BURST, Math.min(MAX_BURST, rate / 10));
    }

    /** True when neither direction is limited. */
    public boolean isEmpty() {
        return ingressBandwidth == null && egressBandwidth == null;
    }

    private static void check(String what, Long v, long min, long max) {
        if (v != null && (v < min || v > max)) {
            throw new IllegalArgumentException(what + ": " + v + " (expected: " + min + " to " + max + ")");
        }
    }
}
