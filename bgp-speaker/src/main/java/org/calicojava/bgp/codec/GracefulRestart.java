package org.calicojava.bgp.codec;

import java.util.Map;

/**
 * The graceful restart capability (RFC 4724): Restart State flag (R), Notification flag (N, RFC 8538: graceful restart
 * also after a NOTIFICATION), restart time (0..4095 s) and, per family, whether forwarding state was preserved.
 */
public record GracefulRestart(
        boolean restarting, boolean notification, int restartTime, Map<Family, Boolean> forwarding) {
    /** The R bit in the 16-bit Restart Flags + Restart Time field. */
    public static final int RESTART_STATE = 0x8000;
    /** The N bit (RFC 8538 section 2). */
    public static final int NOTIFICATION = 0x4000;

    public GracefulRestart {
        if (restartTime < 0 || restartTime > 4095) {
            throw new IllegalArgumentException("restart time: " + restartTime + " (expected: 0..4095)");
        }
        forwarding = Map.copyOf(forwarding);
    }

    /** Without the N bit (RFC 4724 alone). */
    public GracefulRestart(boolean restarting, int restartTime, Map<Family, Boolean> forwarding) {
        this(restarting, false, restartTime, forwarding);
    }
}
