package org.calicojava.store;

import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** Turns jetcd/gRPC failures into {@link DatastoreException}s whose message an operator understands. */
final class EtcdErrors {
    private EtcdErrors() {}

    static DatastoreException translate(Throwable t, String endpoint) {
        Throwable c = t;
        while ((c instanceof ExecutionException || c instanceof CompletionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof DatastoreException d) {
            return d;
        }
        if (c instanceof TimeoutException) {
            return new EtcdUnreachableException("etcd at " + endpoint + " is unreachable (no answer in time)", c);
        }
        if (c instanceof EtcdException e) {
            ErrorCode code = e.getErrorCode();
            String msg = firstLine(e.getMessage());
            if (code == ErrorCode.UNAVAILABLE || code == ErrorCode.DEADLINE_EXCEEDED || lostConnection(msg)) {
                return new EtcdUnreachableException("etcd at " + endpoint + " is unreachable", e);
            }
            if (code == ErrorCode.UNAUTHENTICATED
                    || code == ErrorCode.PERMISSION_DENIED
                    || msg.contains("authentication")
                    || msg.contains("user name")) {
                return new AuthenticationException("etcd at " + endpoint + " refused the request: " + msg, e);
            }
            return new DatastoreException("etcd at " + endpoint + ": " + msg, e);
        }
        String msg = firstLine(c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage());
        if (msg.contains("Connection refused")
                || msg.contains("UNAVAILABLE")
                || msg.contains("connect")
                || lostConnection(msg)) {
            return new EtcdUnreachableException("etcd at " + endpoint + " is unreachable", c);
        }
        return new DatastoreException("etcd at " + endpoint + ": " + msg, c);
    }

    /** gRPC's words for a connection that went away under a call (a member died): UNKNOWN status, not UNAVAILABLE. */
    static boolean lostConnection(String msg) {
        String m = msg.toLowerCase(java.util.Locale.ROOT);
        return m.contains("channel closed")
                || m.contains("connection reset")
                || m.contains("connection closed")
                || m.contains("broken pipe")
                || m.contains("stream closed");
    }

    /** The answer exceeded gRPC's inbound message limit (ask for less). */
    static boolean isTooLarge(DatastoreException e) {
        String t = causeText(e);
        return t.contains("RESOURCE_EXHAUSTED") || t.contains("exceeds maximum") || t.contains("larger than max");
    }

    private static String causeText(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = e; c != null && b.length() < 10_000; c = c.getCause() == c ? null : c.getCause()) {
            b.append(c.getMessage()).append(' ');
            if (c instanceof EtcdException ee) {
                b.append(ee.getErrorCode()).append(' ');
            }
        }
        return b.toString();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        int desc = line.indexOf("description=");
        return desc >= 0 ? line.substring(desc + 12).replaceAll("[,}].*", "") : line;
    }
}
