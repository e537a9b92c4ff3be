package org.calicojava.bgp.yaml;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.config.ConfigException;

/**
 * The scalar values of the speaker's YAML, each checked with a message naming its key relative to the mapping that
 * holds it ({@code key: value (expected: ...)}); {@link SpeakerYamlLoader} puts the mapping's path in front.
 */
final class Scalars {
    private static final Pattern INTEGER = Pattern.compile("-?\\d{1,18}");
    private static final Pattern SECONDS = Pattern.compile("(\\d{1,6})([smh]?)");
    private static final Pattern MILLIS = Pattern.compile("(\\d{1,8})(ms|s)?");

    private Scalars() {}

    static <T> T required(String key, T value) {
        if (value == null) {
            throw new ConfigException(key + ": missing");
        }
        return value;
    }

    /** An integer {@code min..max}, given as a YAML number or a string of digits. */
    static int integer(String key, String value, int min, int max) {
        String s = value.trim();
        if (!INTEGER.matcher(s).matches()) {
            throw new ConfigException(key + ": " + value + " (expected: an integer " + min + ".." + max + ")");
        }
        long i = Long.parseLong(s);
        if (i < min || i > max) {
            throw new ConfigException(key + ": " + i + " (expected: " + min + ".." + max + ")");
        }
        return (int) i;
    }

    /** {@link #integer}, or {@code otherwise} when absent. */
    static int integer(String key, String value, int min, int max, int otherwise) {
        return value == null ? otherwise : integer(key, value, min, max);
    }

    static boolean flag(Boolean value, boolean otherwise) {
        return value == null ? otherwise : value;
    }

    /** Each of {@code values} (absent: none; an empty entry refused) converted by {@code one}, as an unmodifiable list. */
    static <T> List<T> each(String key, List<String> values, Function<String, T> one) {
        List<T> out = new ArrayList<>();
        if (values != null) {
            for (String v : values) {
                out.add(one.apply(required(key, v)));
            }
        }
        return List.copyOf(out);
    }

    /** Asplain ({@code 65010}) or asdot ({@code 1.10} = 65546). */
    static long asNumber(String key, String value) {
        String s = value.trim();
        long asn;
        try {
            int dot = s.indexOf('.');
            if (dot < 0) {
                asn = Long.parseLong(s);
            } else {
                long hi = Long.parseLong(s.substring(0, dot));
                long lo = Long.parseLong(s.substring(dot + 1));
                if (hi < 0 || hi > 65535 || lo < 0 || lo > 65535) {
                    throw new NumberFormatException();
                }
                asn = hi << 16 | lo;
            }
        } catch (NumberFormatException e) {
            throw new ConfigException(
                    key + ": " + s + " (expected: an AS number, asplain like 65010 or asdot like 1.10)");
        }
        if (asn < 1 || asn > 0xffffffffL) {
            throw new ConfigException(key + ": " + s + " (expected: 1..4294967295)");
        }
        return asn;
    }

    static InetAddress address(String key, String value) {
        return named(key, () -> Ip.parse(value));
    }

    static InetAddress v4(String key, String value) {
        InetAddress a = address(key, value);
        if (!(a instanceof Inet4Address)) {
            throw new ConfigException(key + ": " + value + " (expected: an IPv4 address)");
        }
        return a;
    }

    /** A duration: {@code 90}, {@code 90s}, {@code 2m} or {@code 1h}, in seconds. */
    static int seconds(String key, String value) {
        Matcher m = SECONDS.matcher(value.trim());
        if (!m.matches()) {
            throw new ConfigException(key + ": " + value.trim() + " (expected: a duration like 60s, 2m or 1h)");
        }
        int n = Integer.parseInt(m.group(1));
        return switch (m.group(2)) {
            case "m" -> n * 60;
            case "h" -> n * 3600;
            default -> n;
        };
    }

    /** {@code 100ms}, {@code 1s} or a number of milliseconds, in microseconds. */
    static long micros(String key, String value) {
        Matcher m = MILLIS.matcher(value.trim());
        if (!m.matches()) {
            throw new ConfigException(key + ": " + value + " (expected: a duration like 100ms or 1s)");
        }
        long n = Long.parseLong(m.group(1));
        return "s".equals(m.group(2)) ? n * 1_000_000 : n * 1000;
    }

    /** A community {@code ASN:VALUE}. */
    static int community(String key, String s) {
        String[] p = s.split(":");
        try {
            if (p.length == 2) {
                int a = Integer.parseInt(p[0].trim());
                int b = Integer.parseInt(p[1].trim());
                if (a >= 0 && a <= 65535 && b >= 0 && b <= 65535) {
                    return a << 16 | b;
                }
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw new ConfigException(key + ": " + s + " (expected: ASN:VALUE, each 0..65535)");
    }

    /** A large community {@code GLOBAL:LOCAL1:LOCAL2}. */
    static int[] large(String key, String s) {
        String[] p = s.split(":");
        try {
            if (p.length == 3) {
                int[] out = new int[3];
                for (int i = 0; i < 3; i++) {
                    long v = Long.parseLong(p[i].trim());
                    if (v < 0 || v > 0xffffffffL) {
                        throw new NumberFormatException();
                    }
                    out[i] = (int) v;
                }
                return out;
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw new ConfigException(key + ": " + s + " (expected: GLOBAL:LOCAL1:LOCAL2, each 0..4294967295)");
    }

    /** One of {@code choices} (in the order the message lists them), by its YAML word. */
    static <E> E choice(String key, String value, List<String> words, List<E> choices, String expected) {
        int i = words.indexOf(value);
        if (i < 0) {
            throw new ConfigException(key + ": " + value + " (expected: " + expected + ")");
        }
        return choices.get(i);
    }

    /** Runs {@code body}, giving a library's {@code "thing: value (expected: ...)"} the key {@code key}. */
    static <T> T named(String key, Supplier<T> body) {
        try {
            return body.get();
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            int colon = m.indexOf(": ");
            throw new ConfigException(key + ": " + (colon >= 0 ? m.substring(colon + 2) : m));
        }
    }
}
