package org.calicojava.bgp.control;

import java.nio.file.Path;

/**
 * {@code controlSocket:} settings: a path, or {@code {path, group, maxClients, maxLineLength}}.
 *
 * @param path          the unix socket, or null for none
 * @param group         group owning the socket (name or number); its members may use it besides root. Null: the
 *                      speaker's own group (root's when run as root)
 * @param maxClients    clients served at once; one more gets an error line and is closed
 * @param maxLineLength bytes of a command line, newline excluded
 */
public record ControlConfig(Path path, String group, int maxClients, int maxLineLength) {
    public static final int DEFAULT_MAX_CLIENTS = 16, DEFAULT_MAX_LINE = 4096;

    public ControlConfig {
        if (group != null && !group.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}")) {
            throw new IllegalArgumentException("controlSocket.group: " + group + " (expected: a group name or number)");
        }
        if (maxClients < 1 || maxClients > 100_000) {
            throw new IllegalArgumentException("controlSocket.maxClients: " + maxClients + " (expected: 1..100000)");
        }
        if (maxLineLength < 16 || maxLineLength > 1 << 20) {
            throw new IllegalArgumentException(
                    "controlSocket.maxLineLength: " + maxLineLength + " (expected: 16..1048576)");
        }
    }

    /** The defaults at {@code path}: the speaker's group, 16 clients, 4096-byte lines. */
    public static ControlConfig at(Path path) {
        return new ControlConfig(path, null, DEFAULT_MAX_CLIENTS, DEFAULT_MAX_LINE);
    }

    public ControlConfig withPath(Path p) {
        return new ControlConfig(p, group, maxClients, maxLineLength);
    }
}
