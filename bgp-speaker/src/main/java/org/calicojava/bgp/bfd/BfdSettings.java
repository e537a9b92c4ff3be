package org.calicojava.bgp.bfd;

/**
 * One neighbour's BFD settings (YAML {@code bfd: true} or {@code bfd: {minRx: 100ms, minTx: 100ms, multiplier: 3,
 * graceful: false}}), intervals in microseconds as on the wire.
 *
 * @param minRxUs our Required Min RX Interval
 * @param minTxUs our Desired Min TX Interval once Up (1 s at least until then, RFC 5880 6.8.3)
 * @param multiplier Detect Mult, 1..255
 * @param graceful on BFD Down keep the peer's routes as stale when graceful restart was negotiated (BIRD's
 *                 {@code bfd graceful}); false: close and flush at once
 */
public record BfdSettings(long minRxUs, long minTxUs, int multiplier, boolean graceful) {
    /** BIRD's defaults: 10 ms rx/tx, multiplier 5. Ours follow the issue: 100 ms, 3. */
    public static final BfdSettings DEFAULT = new BfdSettings(100_000, 100_000, 3, false);

    static final long MIN_US = 1_000, MAX_US = 60_000_000;

    public BfdSettings {
        if (minRxUs < MIN_US || minRxUs > MAX_US) {
            throw new IllegalArgumentException("bfd.minRx: " + minRxUs / 1000 + "ms (expected: 1ms..60s)");
        }
        if (minTxUs < MIN_US || minTxUs > MAX_US) {
            throw new IllegalArgumentException("bfd.minTx: " + minTxUs / 1000 + "ms (expected: 1ms..60s)");
        }
        if (multiplier < 1 || multiplier > 255) {
            throw new IllegalArgumentException("bfd.multiplier: " + multiplier + " (expected: 1..255)");
        }
    }
}
