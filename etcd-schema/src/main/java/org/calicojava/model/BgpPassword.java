package org.calicojava.model;

/**
 * A BGP session password (TCP-MD5, RFC 2385), as stored on a peer ({@code "password"} of {@link BgpPeer}) or on the
 * node mesh ({@link NodeMesh}). It is rendered into the speaker's YAML and into BIRD's {@code password "..."}, so it is
 * kept to what both can carry without escaping: 1..80 characters (the kernel's TCP_MD5SIG_MAXKEYLEN), printable ASCII
 * without {@code "} and {@code \}. Error messages never contain the password itself.
 */
public final class BgpPassword {
    public static final int MAX_LENGTH = 80;

    private BgpPassword() {}

    /** {@code password} itself when valid (null stays null); otherwise an exception naming the first bad character. */
    public static String check(String password) {
        if (password == null) {
            return null;
        }
        if (password.isEmpty() || password.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(
                    "password: " + password.length() + " characters (expected: 1.." + MAX_LENGTH + ")");
        }
        for (int i = 0; i < password.length(); i++) {
            char c = password.charAt(i);
            if (c == '"' || c == '\\') {
                throw new IllegalArgumentException("password: contains '" + c + "' at position " + (i + 1)
                        + " (expected: printable ASCII without \" and \\)");
            }
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException("password: contains character U+" + String.format("%04X", (int) c)
                        + " at position " + (i + 1) + " (expected: printable ASCII without \" and \\)");
            }
        }
        return password;
    }
}
