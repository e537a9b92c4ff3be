package org.calicojava.felix.rules;

import java.util.regex.Pattern;

/** What a {@link Rule} does with a packet it matches: a verdict, a jump or goto to one of our chains, or a target. */
public sealed interface Action {
    /** ACCEPT, DROP, RETURN. */
    enum Verdict implements Action {
        ACCEPT,
        DROP,
        RETURN
    }

    /** {@code -j CHAIN}: one of our chains ({@link RestoreText#chain}). */
    record Jump(String chain) implements Action {
        public Jump {
            RestoreText.chain(chain);
        }
    }

    /** {@code -g CHAIN}: one of our chains, not returning here. */
    record Goto(String chain) implements Action {
        public Goto {
            RestoreText.chain(chain);
        }
    }

    /** {@code -j MARK --set-xmark VALUE/MASK}: the mark bits under {@code mask} set to {@code value}, others kept. */
    record SetMark(int value, int mask) implements Action {
        public SetMark {
            if ((value & ~mask) != 0) {
                throw new IllegalArgumentException(
                        "set-mark: " + Marks.hex(value) + " outside mask " + Marks.hex(mask));
            }
        }
    }

    /** {@code -j LOG --log-prefix "PREFIX" [--log-level L]} (level -1: none; else syslog level 0..7). */
    record Log(String prefix, int level) implements Action {
        private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.:+ \\-]{1,29}");

        public Log {
            if (prefix == null || !PREFIX.matcher(prefix).matches()) {
                throw new IllegalArgumentException("log prefix: " + ChainNames.describe(prefix)
                        + " (expected: 1..29 of letters, digits, space and _.:+-)");
            }
            if (level < -1 || level > 7) {
                throw new IllegalArgumentException("log level: " + level + " (expected: 0..7)");
            }
        }
    }

    /** {@code -j MASQUERADE}. */
    record Masquerade() implements Action {}
}
