package org.calicojava.bgp.config;

/** An invalid configuration; the message names the key and the problem, e.g. {@code neighbors[0].holdTime: 2 (expected: 0 or >= 3)}. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
