package org.calicojava.bgp.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.calicojava.bgp.bfd.BfdManager;

/** {@code show bfd sessions [json]}: one row per BFD session (BIRD's columns plus discriminators and counters). */
final class BfdStatus {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BfdStatus() {}

    static String answer(BfdManager bfd, boolean json, boolean bad) throws JsonProcessingException {
        if (bad) {
            return "error: show bfd sessions [json]\n";
        }
        List<Map<String, Object>> rows = bfd == null ? List.of() : bfd.sessions();
        if (json) {
            return JSON.writeValueAsString(rows) + "\n";
        }
        String fmt = "%-26s %-10s %-10s %-8s %-10s %-10s %-6s %s%n";
        StringBuilder sb = new StringBuilder(
                String.format(fmt, "IP address", "State", "Remote", "Since", "Interval", "Timeout", "Mult", "Diag"));
        for (Map<String, Object> r : rows) {
            sb.append(String.format(
                    fmt,
                    r.get("address"),
                    r.get("state"),
                    r.get("remoteState"),
                    r.get("sinceSeconds") + "s",
                    r.get("txIntervalMs") + "ms",
                    r.get("detectionTimeMs") + "ms",
                    r.get("multiplier"),
                    r.get("diag")));
        }
        return sb.toString();
    }
}
