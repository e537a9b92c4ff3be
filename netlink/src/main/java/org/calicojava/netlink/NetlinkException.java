package org.calicojava.netlink;

/** Base of every exception this module throws: kernel errors, malformed messages, socket failures. Unchecked. */
public class NetlinkException extends RuntimeException {
    public NetlinkException(String message) {
        super(message);
    }

    public NetlinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
