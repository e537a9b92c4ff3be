package org.calicojava.confd;

import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.calicojava.model.LogText;

/**
 * How a template's values ({@code {{name}}} and the helper lambdas' results) are written into the language of the file
 * it renders. Chosen by the template's file name: {@code *.yaml.mustache} / {@code *.yml.mustache} get {@link #YAML},
 * everything else (the BIRD config) {@link #TOKENS}. No value can open a new statement in either.
 */
public enum TemplateEncoder implements UnaryOperator<String> {
    /**
     * Escapes for the inside of a YAML double-quoted scalar ({@code "..."}): backslash, double quote, every control
     * character and everything outside printable ASCII become escapes, so the output is one line of printable ASCII
     * that cannot close the quotes. Templates put every string value in double quotes; numbers and booleans are
     * validated values.
     */
    YAML {
        @Override
        public String apply(String value) {
            StringBuilder b = new StringBuilder(value.length() + 8);
            value.codePoints().forEach(c -> {
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\t' -> b.append("\\t");
                    default -> {
                        if (c >= 0x20 && c < 0x7f) {
                            b.append((char) c);
                        } else if (c <= 0xff) {
                            b.append(String.format("\\x%02x", c));
                        } else if (c <= 0xffff) {
                            b.append(String.format("\\u%04x", c));
                        } else {
                            b.append(String.format("\\U%08x", c));
                        }
                    }
                }
            });
            return b.toString();
        }
    },
    /**
     * Only validated tokens: addresses, CIDRs, numbers, booleans and names ({@code [A-Za-z0-9_.:/-]}, at most
     * {@value #MAX_TOKEN} characters). Anything else is refused (the render fails, the old file stays), because in a
     * BIRD config no escaping makes free text safe outside a string. One more form is a token: a complete BIRD string
     * literal of printable ASCII without {@code "} and {@code \} inside ({@code "a b!"}, as {@link Peer#birdPassword()}
     * gives): BIRD reads it as one string, with nothing to unescape.
     */
    TOKENS {
        @Override
        public String apply(String value) {
            if (value.length() <= MAX_TOKEN && BIRD_STRING.matcher(value).matches()) {
                return value;
            }
            if (value.length() > MAX_TOKEN || !TOKEN.matcher(value).matches()) {
                throw new IllegalArgumentException("value " + LogText.quote(value)
                        + " is not a token (expected: letters, digits, '_', '.', ':', '/', '-'; at most "
                        + MAX_TOKEN + " characters)");
            }
            return value;
        }
    };

    public static final int MAX_TOKEN = 253;
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_.:/\\-]*");
    private static final Pattern BIRD_STRING = Pattern.compile("\"[ !#-\\[\\]-~]+\"");

    /** The encoder for a template file. */
    public static TemplateEncoder forTemplate(Path template) {
        String n = template.getFileName().toString();
        return n.endsWith(".yaml.mustache") || n.endsWith(".yml.mustache") ? YAML : TOKENS;
    }
}
