package org.calicojava.libnetwork;

/**
 * A request the plugin refuses, answered as {@code {"Err": message}} with an HTTP status: 400 for a request Docker
 * should not have sent (malformed JSON, missing fields), 500 for everything the user has to fix (no pool, exhausted
 * pool, unknown network). Docker shows the message to the user as {@code "<Method>: <message>"}.
 */
public final class PluginException extends RuntimeException {
    private final int status;

    private PluginException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public static PluginException badRequest(String message) {
        return new PluginException(400, message);
    }

    public static PluginException failed(String message) {
        return new PluginException(500, message);
    }

    public int status() {
        return status;
    }
}
