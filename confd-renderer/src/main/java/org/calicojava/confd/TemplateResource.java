package org.calicojava.confd;

import java.nio.file.Path;
import java.util.List;

/**
 * One output file: the template {@code src} rendered to {@code dest} whenever a key under one of {@code keys}
 * (full etcd prefixes, node name already substituted) changes. {@code mode} null keeps the existing file's mode
 * (0644 for a new file). {@code checkCmd} runs on the staged file ({@code {{.src}}} replaced by its path) before it
 * replaces dest; {@code reloadCmd} runs after. Both optional.
 */
public record TemplateResource(
        String name, Path src, Path dest, List<String> keys, Integer mode, String checkCmd, String reloadCmd) {
    public TemplateResource {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("template resource name: empty");
        }
        if (src == null) {
            throw new IllegalArgumentException(name + ": src: missing (expected: a template file name)");
        }
        if (dest == null) {
            throw new IllegalArgumentException(name + ": dest: missing (expected: the output file path)");
        }
        if (keys == null || keys.isEmpty()) {
            throw new IllegalArgumentException(name + ": keys: missing (expected: at least one etcd prefix)");
        }
        for (String k : keys) {
            if (!k.startsWith("/")) {
                throw new IllegalArgumentException(name + ": key '" + k + "' (expected: starts with '/')");
            }
        }
        keys = List.copyOf(keys);
        if (mode != null && (mode < 0 || mode > 07777)) {
            throw new IllegalArgumentException(
                    name + ": mode: " + Integer.toOctalString(mode) + " (expected: 0..7777 octal)");
        }
        checkCmd = blankToNull(checkCmd);
        reloadCmd = blankToNull(reloadCmd);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** Whether a change to {@code key} concerns this resource (a key equals a prefix or lies below it). */
    public boolean watches(String key) {
        for (String k : keys) {
            if (KeyPrefixes.covers(k, key)) {
                return true;
            }
        }
        return false;
    }

    /** The check command with the staged file's path substituted for {@code {{.src}}} (confd's spelling). */
    public String checkCommandFor(Path staged) {
        return checkCmd == null
                ? null
                : checkCmd.replace("{{.src}}", staged.toString()).replace("{{src}}", staged.toString());
    }
}
