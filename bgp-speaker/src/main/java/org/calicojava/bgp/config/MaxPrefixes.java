package org.calicojava.bgp.config;

/**
 * A neighbour's {@code maxPrefixes: {limit, action, restartAfter}}: how many prefixes per address family the speaker
 * keeps from it (accepted or filtered by the import policy: both are held for soft reconfiguration), and what happens
 * to the one beyond.
 *
 * @param limit        prefixes per family, 1..100,000,000
 * @param action       {@link Action}
 * @param restartAfter seconds before a session stopped for it starts again ({@code stop}); 0 = not until a reload or restart
 */
public record MaxPrefixes(long limit, Action action, int restartAfter) {
    public static final int DEFAULT_RESTART_AFTER = 60;

    /** What to do with the prefix beyond the limit. */
    public enum Action {
        /** NOTIFICATION Cease / maximum number of prefixes reached (RFC 4486, data: AFI, SAFI, limit), start again after restartAfter. */
        STOP,
        /** Keep the session, ignore every prefix beyond the limit (log once per interval). */
        DROP,
        /** Accept it anyway, log once per session. */
        WARN
    }

    public MaxPrefixes {
        if (limit < 1 || limit > 100_000_000) {
            throw new ConfigException("maxPrefixes.limit: " + limit + " (expected: 1..100000000)");
        }
        if (action == null) {
            throw new ConfigException("maxPrefixes.action: missing (expected: stop, warn or drop)");
        }
        if (restartAfter < 0 || restartAfter > 86_400) {
            throw new ConfigException("maxPrefixes.restartAfter: " + restartAfter + "s (expected: 0s..86400s)");
        }
    }
}
