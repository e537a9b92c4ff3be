package org.calicojava.confd;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small parser for the flat TOML of confd template resources: {@code [table]} headers, {@code key = value} with
 * basic ("...") and literal ('...') strings, integers (decimal, 0o octal, or a leading 0 read as octal for modes
 * written like confd's "0644" when unquoted), booleans, and arrays of those (may span lines, trailing comma allowed),
 * {@code #} comments. No nested or inline tables, dates or floats: those are refused with the line number.
 * Keys before the first header go in the table named "".
 */
public final class TomlParser {
    private final String text;
    private int pos;
    private int line = 1;

    private TomlParser(String text) {
        this.text = text;
    }

    /** Parses the document; {@link IllegalArgumentException} with "line N: ..." on anything outside the subset. */
    public static Map<String, Map<String, Object>> parse(String text) {
        return new TomlParser(text).document();
    }

    private Map<String, Map<String, Object>> document() {
        Map<String, Map<String, Object>> tables = new LinkedHashMap<>();
        Map<String, Object> current = new LinkedHashMap<>();
        tables.put("", current);
        while (true) {
            skipBlankAndComments();
            if (pos >= text.length()) {
                break;
            }
            char c = text.charAt(pos);
            if (c == '[') {
                pos++;
                String name = bareKey();
                skipSpaces();
                expect(']');
                if (tables.containsKey(name)) {
                    throw error("table [" + name + "] defined twice");
                }
                current = new LinkedHashMap<>();
                tables.put(name, current);
            } else {
                String key = c == '"' || c == '\'' ? string() : bareKey();
                skipSpaces();
                expect('=');
                skipSpaces();
                Object value = value();
                if (current.containsKey(key)) {
                    throw error("key '" + key + "' defined twice");
                }
                current.put(key, value);
            }
            endOfLine();
        }
        if (tables.get("").isEmpty()) {
            tables.remove("");
        }
        return tables;
    }

    private Object value() {
        if (pos >= text.length()) {
            throw error("value expected");
        }
        char c = text.charAt(pos);
        if (c == '"' || c == '\'') {
            return string();
        }
        if (c == '[') {
            return array();
        }
        String word = word();
        switch (word) {
            case "true":
                return Boolean.TRUE;
            case "false":
                return Boolean.FALSE;
            default:
                return integer(word);
        }
    }

    private List<Object> array() {
        expect('[');
        List<Object> items = new ArrayList<>();
        while (true) {
            skipBlankAndComments();
            if (peek() == ']') {
                pos++;
                return items;
            }
            items.add(value());
            skipBlankAndComments();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c != ']') {
                throw error("',' or ']' expected in array");
            }
        }
    }

    private Long integer(String word) {
        String w = word.replace("_", "");
        try {
            if (w.startsWith("0o")) {
                return Long.parseLong(w.substring(2), 8);
            }
            if (w.startsWith("0x")) {
                return Long.parseLong(w.substring(2), 16);
            }
            if (w.length() > 1 && w.startsWith("0")) {
                return Long.parseLong(w, 8);
            }
            return Long.parseLong(w);
        } catch (NumberFormatException e) {
            throw error("unsupported value '" + word + "' (expected: string, integer, boolean or array)");
        }
    }

    private String string() {
        char quote = text.charAt(pos++);
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == quote) {
                return sb.toString();
            }
            if (c == '\n') {
                break;
            }
            if (c == '\\' && quote == '"') {
                if (pos >= text.length()) {
                    break;
                }
                char e = text.charAt(pos++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case 'u' -> {
                        if (pos + 4 > text.length()) {
                            throw error("bad \\u escape");
                        }
                        sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> throw error("unknown escape \\" + e);
                }
            } else {
                sb.append(c);
            }
        }
        throw error("unterminated string");
    }

    private String bareKey() {
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || "_-.".indexOf(text.charAt(pos)) >= 0)) {
            pos++;
        }
        if (start == pos) {
            throw error("key expected");
        }
        return text.substring(start, pos);
    }

    private String word() {
        int start = pos;
        while (pos < text.length() && " \t\r\n,]#".indexOf(text.charAt(pos)) < 0) {
            pos++;
        }
        if (start == pos) {
            throw error("value expected");
        }
        return text.substring(start, pos);
    }

    private void endOfLine() {
        skipSpaces();
        if (pos < text.length() && text.charAt(pos) == '#') {
            while (pos < text.length() && text.charAt(pos) != '\n') {
                pos++;
            }
        }
        if (pos < text.length() && text.charAt(pos) == '\r') {
            pos++;
        }
        if (pos < text.length()) {
            if (text.charAt(pos) != '\n') {
                throw error("unexpected '" + text.charAt(pos) + "' (expected: end of line)");
            }
        }
    }

    private void skipBlankAndComments() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\n') {
                line++;
                pos++;
            } else if (c == ' ' || c == '\t' || c == '\r') {
                pos++;
            } else if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    private void skipSpaces() {
        while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
            pos++;
        }
    }

    private char peek() {
        if (pos >= text.length()) {
            throw error("unexpected end of file");
        }
        return text.charAt(pos);
    }

    private void expect(char c) {
        if (pos >= text.length() || text.charAt(pos) != c) {
            throw error("'" + c + "' expected");
        }
        pos++;
    }

    private IllegalArgumentException error(String message) {
        return new IllegalArgumentException("line " + line + ": " + message);
    }
}
