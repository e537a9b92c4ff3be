package org.calicojava.model;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A parsed label selector in Calico's selector language ({@link SelectorParser}). {@link #matches} evaluates it
 * against a set of labels; {@link #canonical()} is a normal form (used to name the ipset of a selector, so that
 * {@code a=='x'} and {@code a == "x"} share one set).
 */
public sealed interface Selector {
    boolean matches(Map<String, String> labels);

    String canonical();

    static Selector parse(String text) {
        return SelectorParser.parse(text);
    }

    record All() implements Selector {
        public boolean matches(Map<String, String> labels) {
            return true;
        }

        public String canonical() {
            return "all()";
        }
    }

    record Has(String key) implements Selector {
        public boolean matches(Map<String, String> labels) {
            return labels.containsKey(key);
        }

        public String canonical() {
            return "has(" + key + ")";
        }
    }

    /** {@code key == value}, or with {@code negated} {@code key != value} (true when the key is absent). */
    record Equals(String key, String value, boolean negated) implements Selector {
        public boolean matches(Map<String, String> labels) {
            return value.equals(labels.get(key)) != negated;
        }

        public String canonical() {
            return key + (negated ? " != " : " == ") + quote(value);
        }
    }

    /** {@code key in {..}}, or with {@code negated} {@code key not in {..}} (true when the key is absent). */
    record In(String key, List<String> values, boolean negated) implements Selector {
        public In {
            values = values.stream().sorted().distinct().toList();
        }

        public boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            return (v != null && values.contains(v)) != negated;
        }

        public String canonical() {
            return key + (negated ? " not in {" : " in {")
                    + values.stream().map(Selector::quote).collect(Collectors.joining(", ")) + "}";
        }
    }

    record Not(Selector inner) implements Selector {
        public boolean matches(Map<String, String> labels) {
            return !inner.matches(labels);
        }

        public String canonical() {
            return "!(" + inner.canonical() + ")";
        }
    }

    record And(Selector left, Selector right) implements Selector {
        public boolean matches(Map<String, String> labels) {
            return left.matches(labels) && right.matches(labels);
        }

        public String canonical() {
            return "(" + left.canonical() + " && " + right.canonical() + ")";
        }
    }

    record Or(Selector left, Selector right) implements Selector {
        public boolean matches(Map<String, String> labels) {
            return left.matches(labels) || right.matches(labels);
        }

        public String canonical() {
            return "(" + left.canonical() + " || " + right.canonical() + ")";
        }
    }

    private static String quote(String v) {
        return v.contains("\"") ? "'" + v + "'" : "\"" + v + "\"";
    }
}
