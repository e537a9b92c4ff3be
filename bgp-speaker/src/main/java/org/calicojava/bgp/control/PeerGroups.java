package org.calicojava.bgp.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/** The supplementary groups of a process ({@code Groups:} of {@code /proc/PID/status}); SO_PEERCRED gives only the primary. */
final class PeerGroups {
    private PeerGroups() {}

    /** The groups of {@code pid}, empty when it cannot be read (the process is gone: no membership is assumed). */
    static Set<Integer> of(int pid) {
        Set<Integer> out = new HashSet<>();
        if (pid <= 0) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
                if (!line.startsWith("Groups:")) {
                    continue;
                }
                for (String g : line.substring(7).trim().split("\\s+")) {
                    if (!g.isEmpty()) {
                        out.add(Integer.parseInt(g));
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Set.of();
        }
        return out;
    }
}
