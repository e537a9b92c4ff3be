package org.calicojava.bgp.bfd;

/** RFC 5880 section 4.1 diagnostic codes. */
public final class Diag {
    public static final int NONE = 0,
            DETECTION_TIME_EXPIRED = 1,
            ECHO_FAILED = 2,
            NEIGHBOR_DOWN = 3,
            FORWARDING_RESET = 4,
            PATH_DOWN = 5,
            CONCATENATED_PATH_DOWN = 6,
            ADMIN_DOWN = 7,
            REVERSE_CONCATENATED_PATH_DOWN = 8;
    private static final String[] NAMES = {
        "No Diagnostic",
        "Control Detection Time Expired",
        "Echo Function Failed",
        "Neighbor Signaled Session Down",
        "Forwarding Plane Reset",
        "Path Down",
        "Concatenated Path Down",
        "Administratively Down",
        "Reverse Concatenated Path Down"
    };

    private Diag() {}

    public static String name(int diag) {
        return diag >= 0 && diag < NAMES.length ? NAMES[diag] : "Reserved (" + diag + ")";
    }
}
