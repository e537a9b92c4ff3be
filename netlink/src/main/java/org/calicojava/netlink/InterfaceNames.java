package org.calicojava.netlink;

import java.nio.charset.StandardCharsets;

/**
 * The kernel's rule for an interface name ({@code dev_valid_name}): 1 to 15 bytes (IFNAMSIZ less its NUL) counted
 * in UTF-8, not "." or "..", no '/', ':' or byte the kernel takes for white space (tab to CR, space, 0xa0). The one
 * check of every caller (links made here, sysctl keys, the CNI plugin's CNI_IFNAME), done before anything is made.
 */
public final class InterfaceNames {
    /** IFNAMSIZ less the terminating NUL. */
    public static final int MAX_BYTES = 15;

    private InterfaceNames() {}

    /** Null if the kernel accepts {@code name}, else what it expects (without the name itself). */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "expected: 1-15 bytes, got none";
        }
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_BYTES) {
            return "expected: at most " + MAX_BYTES + " bytes in UTF-8, got " + b.length;
        }
        if (name.equals(".") || name.equals("..")) {
            return "expected: a name other than '.' and '..'";
        }
        for (byte x : b) {
            int c = x & 0xff;
            if (c == '/' || c == ':' || c == ' ' || (c >= 9 && c <= 13) || c == 0xa0 || c == 0) {
                return "expected: no '/', ':', NUL or white space";
            }
        }
        return null;
    }

    /** Throws an IllegalArgumentException naming the problem unless the kernel accepts {@code name}. */
    public static String check(String name) {
        String p = problem(name);
        if (p != null) {
            throw new IllegalArgumentException("interface name: " + name + " (" + p + ")");
        }
        return name;
    }
}
