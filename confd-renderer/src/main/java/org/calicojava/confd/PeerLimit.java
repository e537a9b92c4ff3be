package org.calicojava.confd;

import org.calicojava.model.BgpMaxPrefixes;

/**
 * A peer's prefix limit as the templates print it: {@code limit}, the speaker's {@code action} (stop, warn, drop) and
 * {@code restartAfter} (seconds), and BIRD's {@code import limit} action: stop is {@code restart} ({@code disable}
 * when restartAfter is 0: stay down), warn is {@code warn}, drop is {@code block}.
 */
public record PeerLimit(long limit, String action, int restartAfter) {
    public PeerLimit {
        BgpMaxPrefixes checked = new BgpMaxPrefixes(limit, action, restartAfter);
        action = checked.action();
    }

    static PeerLimit of(BgpMaxPrefixes m) {
        return m == null ? null : new PeerLimit(m.limit(), m.action(), m.restartAfterS());
    }

    public String birdAction() {
        return switch (action) {
            case "warn" -> "warn";
            case "drop" -> "block";
            default -> restartAfter == 0 ? "disable" : "restart";
        };
    }
}
