package org.calicojava.netlink;

/**
 * A netlink message could not be decoded (truncated, a length field pointing past the data, a wrong attribute
 * size) or encoded. The message names the structure and the offending value.
 */
public class NetlinkCodecException extends NetlinkException {
    public NetlinkCodecException(String message) {
        super(message);
    }
}
