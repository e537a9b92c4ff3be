package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How traffic to a pool's addresses crosses between hosts, as Calico's {@code ipipMode} / {@code vxlanMode}:
 * {@code never} (plain routing), {@code always} (encapsulated to every other host) or {@code cross-subnet}
 * (encapsulated only to hosts outside this host's subnet; hosts on one subnet route natively).
 */
public enum EncapMode {
    NEVER("never"),
    ALWAYS("always"),
    CROSS_SUBNET("cross-subnet");

    private final String text;

    EncapMode(String text) {
        this.text = text;
    }

    @JsonValue
    public String text() {
        return text;
    }

    /** Parses {@code never|always|cross-subnet}, also Calico v3's spellings {@code Never|Always|CrossSubnet}. */
    @JsonCreator
    public static EncapMode parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("encapsulation mode: missing (expected: always, cross-subnet or never)");
        }
        String t = s.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "never", "off", "false", "" -> {
                return NEVER;
            }
            case "always", "true" -> {
                return ALWAYS;
            }
            case "cross-subnet", "crosssubnet" -> {
                return CROSS_SUBNET;
            }
            default ->
                throw new IllegalArgumentException(
                        "encapsulation mode: " + LogText.quote(s) + " (expected: always, cross-subnet or never)");
        }
    }

    /** Calico v3's spelling: {@code Never}, {@code Always}, {@code CrossSubnet}. */
    public String v3() {
        return switch (this) {
            case NEVER -> "Never";
            case ALWAYS -> "Always";
            case CROSS_SUBNET -> "CrossSubnet";
        };
    }

    public boolean enabled() {
        return this != NEVER;
    }
}
