package org.calicojava.bgp.codec;

import java.util.Map;

/**
 * The graceful restart capability (RFC 4724): restart state flag, restart time (0..4095 s) and, per family,
 * whether forwarding state was preserved.
 */
public record GracefulRestart(boolean restarting, int restartTime, Map<Family, Boolean> forwarding) {
    public GracefulRestart {
        if (restartTime < 0 || restartTime > 4095) {
            throw new IllegalArgumentException("restart time: " + restartTime + " (expected: 0..4095)");
        }
        forwarding = Map.copyOf(forwarding);
    }
}
