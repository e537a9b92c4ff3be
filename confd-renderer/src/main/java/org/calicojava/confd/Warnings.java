package org.calicojava.confd;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.model.LogText;

/**
 * The etcd records found invalid while building one context: each was skipped (or its value ignored), rendering went
 * on. One entry per key (the first reason wins). Used from the one worker thread.
 */
public final class Warnings {
    /** An invalid record: its key (untrusted text) and why it was refused (may quote the untrusted value). */
    public record Invalid(String key, String reason) {
        /** One safe line: key and reason quoted with {@link LogText#quote}. */
        @Override
        public String toString() {
            return LogText.quote(key) + ": " + LogText.quote(reason);
        }
    }

    private final Map<String, Invalid> items = new LinkedHashMap<>();

    public void add(String key, String reason) {
        items.putIfAbsent(key, new Invalid(key, reason));
    }

    public List<Invalid> items() {
        return List.copyOf(items.values());
    }

    /** The entries as safe one-line strings (the template context's {@code warnings}). */
    public List<String> list() {
        List<String> out = new ArrayList<>(items.size());
        items.values().forEach(i -> out.add(i.toString()));
        return out;
    }
}
