package org.calicojava.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Recursive-descent parser for Calico's label selector language:
 * <pre>
 *   expr   := and ('||' and)*
 *   and    := unary ('&amp;&amp;' unary)*
 *   unary  := '!' unary | '(' expr ')' | 'all()' | 'has(' key ')' | key op
 *   op     := '==' str | '!=' str | 'in' set | 'not' 'in' set
 *   set    := '{' [str (',' str)*] '}'      str := "..." | '...'
 * </pre>
 * An empty selector means {@code all()}. Errors are {@link IllegalArgumentException}s naming the position. Bounded,
 * since selectors come from etcd: at most {@value #MAX_LENGTH} characters and {@value #MAX_DEPTH} levels of
 * '(' and '!' (no stack overflow), keys of ASCII letters, digits and {@code _ . / -}, strings without control
 * characters.
 */
public final class SelectorParser {
    public static final int MAX_LENGTH = 4096;
    public static final int MAX_DEPTH = 32;
    private final String text;
    private int pos;
    private int depth;

    private SelectorParser(String text) {
        this.text = text;
    }

    public static Selector parse(String text) {
        if (text == null || text.isBlank()) {
            return new Selector.All();
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(
                    "selector: " + text.length() + " characters (expected: at most " + MAX_LENGTH + ")");
        }
        SelectorParser p = new SelectorParser(text);
        Selector s = p.expr();
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("unexpected " + LogText.quote(text.substring(p.pos)));
        }
        return s;
    }

    private Selector expr() {
        Selector left = and();
        while (accept("||")) {
            left = new Selector.Or(left, and());
        }
        return left;
    }

    private Selector and() {
        Selector left = unary();
        while (accept("&&")) {
            left = new Selector.And(left, unary());
        }
        return left;
    }

    private Selector unary() {
        if (++depth > MAX_DEPTH) {
            throw error("nested more than " + MAX_DEPTH + " levels");
        }
        try {
            return unaryInner();
        } finally {
            depth--;
        }
    }

    private Selector unaryInner() {
        skipSpace();
        if (peek("!=")) {
            throw error("'!=' needs a label key before it");
        }
        if (accept("!")) {
            return new Selector.Not(unary());
        }
        if (accept("(")) {
            Selector inner = expr();
            expect(")");
            return inner;
        }
        String word = key();
        if (word.equals("all") && accept("(")) {
            expect(")");
            return new Selector.All();
        }
        if (word.equals("has") && accept("(")) {
            String k = key();
            expect(")");
            return new Selector.Has(k);
        }
        if (accept("==")) {
            return new Selector.Equals(word, string(), false);
        }
        if (accept("!=")) {
            return new Selector.Equals(word, string(), true);
        }
        if (acceptWord("in")) {
            return new Selector.In(word, set(), false);
        }
        if (acceptWord("not")) {
            if (!acceptWord("in")) {
                throw error("expected 'in' after 'not'");
            }
            return new Selector.In(word, set(), true);
        }
        throw error("expected ==, !=, in or not in after '" + word + "'");
    }

    private List<String> set() {
        expect("{");
        List<String> values = new ArrayList<>();
        skipSpace();
        if (accept("}")) {
            return values;
        }
        do {
            values.add(string());
        } while (accept(","));
        expect("}");
        return values;
    }

    private String string() {
        skipSpace();
        if (pos >= text.length() || (text.charAt(pos) != '"' && text.charAt(pos) != '\'')) {
            throw error("expected a quoted string");
        }
        char q = text.charAt(pos);
        int end = text.indexOf(q, pos + 1);
        if (end < 0) {
            throw error("unterminated string");
        }
        String s = text.substring(pos + 1, end);
        if (s.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw error("control character in a string");
        }
        pos = end + 1;
        return s;
    }

    private String key() {
        skipSpace();
        int start = pos;
        while (pos < text.length() && isKeyChar(text.charAt(pos))) {
            pos++;
        }
        if (start == pos) {
            throw error(
                    pos < text.length()
                            ? "unexpected " + LogText.quote(String.valueOf(text.charAt(pos)))
                            : "unexpected end");
        }
        return text.substring(start, pos);
    }

    private static boolean isKeyChar(char c) {
        return c < 0x80 && Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '/' || c == '-';
    }

    private boolean acceptWord(String w) {
        skipSpace();
        int end = pos + w.length();
        if (text.startsWith(w, pos) && (end >= text.length() || !isKeyChar(text.charAt(end)))) {
            pos = end;
            return true;
        }
        return false;
    }

    private boolean peek(String token) {
        skipSpace();
        return text.startsWith(token, pos);
    }

    private boolean accept(String token) {
        if (peek(token)) {
            pos += token.length();
            return true;
        }
        return false;
    }

    private void expect(String token) {
        if (!accept(token)) {
            throw error("expected '" + token + "'");
        }
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("selector " + LogText.quote(text) + ": " + what + " at position " + pos);
    }
}
