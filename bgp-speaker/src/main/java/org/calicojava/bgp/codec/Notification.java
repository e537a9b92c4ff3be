package org.calicojava.bgp.codec;

/** NOTIFICATION (RFC 4271 section 4.5): the error that closes the session. */
public record Notification(BgpError error) implements Message {
    @Override
    public int type() {
        return NOTIFICATION;
    }

    @Override
    public String toString() {
        return "NOTIFICATION " + error;
    }
}
