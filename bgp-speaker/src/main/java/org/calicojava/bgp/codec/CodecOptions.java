package org.calicojava.bgp.codec;

import io.netty.util.AttributeKey;
import java.util.Set;

/**
 * What the OPEN exchange negotiated and the codec needs: 4-octet AS (RFC 6793), ADD-PATH per direction and family
 * (RFC 7911), extended messages (RFC 8654), and whether the peer is internal. Kept on the channel under {@link #KEY};
 * the encoder and decoder read it per message.
 */
public record CodecOptions(
        boolean as4, Set<Family> addPathReceive, Set<Family> addPathSend, boolean extendedMessage, boolean ibgp) {
    public static final AttributeKey<CodecOptions> KEY = AttributeKey.valueOf("bgp.codec.options");
    /** Before the OPEN exchange: 2-octet AS, no ADD-PATH, 4096-byte messages. */
    public static final CodecOptions DEFAULT = new CodecOptions(false, Set.of(), Set.of(), false, false);
    /** A modern eBGP session: 4-octet AS, nothing else. */
    public static final CodecOptions AS4 = new CodecOptions(true, Set.of(), Set.of(), false, false);

    public CodecOptions {
        addPathReceive = Set.copyOf(addPathReceive);
        addPathSend = Set.copyOf(addPathSend);
    }

    public int maxLength() {
        return extendedMessage ? Message.MAX_EXTENDED_LENGTH : Message.MAX_LENGTH;
    }

    public boolean receivesPathIds(Family f) {
        return addPathReceive.contains(f);
    }

    public boolean sendsPathIds(Family f) {
        return addPathSend.contains(f);
    }

    public CodecOptions withIbgp(boolean v) {
        return new CodecOptions(as4, addPathReceive, addPathSend, extendedMessage, v);
    }
}
