package org.calicojava.bgp.codec;

/** The codec's one exception: a protocol error that resets the session with the NOTIFICATION it carries. */
public final class BgpException extends RuntimeException {
    private final BgpError error;

    public BgpException(BgpError error) {
        super(error.toString(), null, false, false);
        this.error = error;
    }

    public BgpException(BgpError error, String detail) {
        super(error + ": " + detail, null, false, false);
        this.error = error;
    }

    public BgpError error() {
        return error;
    }
}
