package org.calicojava.cni;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.calicojava.model.Json;

/**
 * A failed CNI call: the spec's error {@code code}, a one-line {@code msg} and optional {@code details}, written as the
 * CNI error JSON on stdout (the process then exits non-zero).
 */
public final class CniException extends RuntimeException {
    /** Spec codes (CNI 1.0.0 "Error" section). */
    public static final int INCOMPATIBLE_VERSION = 1;

    public static final int UNSUPPORTED_FIELD = 2;
    public static final int UNKNOWN_CONTAINER = 3;
    public static final int INVALID_ENVIRONMENT = 4;
    public static final int IO_FAILURE = 5;
    public static final int DECODE_FAILURE = 6;
    public static final int INVALID_CONFIG = 7;
    public static final int TRY_AGAIN_LATER = 11;
    /** STATUS (1.1.0): the plugin cannot serve ADD now. */
    public static final int NOT_AVAILABLE = 50;
    /** Plugin codes (100 and up are the plugin's own): a kernel, etcd or delegated-plugin failure. */
    public static final int PLUGIN_FAILURE = 100;
    /** No free address in the pools the network may use. */
    public static final int POOL_EXHAUSTED = 101;
    /** CHECK found the workload not as ADD made it. */
    public static final int CHECK_FAILED = 102;

    private final int code;
    private final String details;

    public CniException(int code, String msg, String details) {
        super(msg);
        this.code = code;
        this.details = details == null ? "" : details;
    }

    public CniException(int code, String msg) {
        this(code, msg, "");
    }

    public int code() {
        return code;
    }

    public String details() {
        return details;
    }

    /** The spec's error result. */
    public ObjectNode toJson(String cniVersion) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("cniVersion", cniVersion);
        n.put("code", code);
        n.put("msg", getMessage() == null ? "error" : getMessage());
        if (!details.isEmpty()) {
            n.put("details", details);
        }
        return n;
    }
}
