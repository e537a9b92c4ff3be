package org.calicojava.bgp.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.calicojava.bgp.codec.BgpEncoder;
import org.calicojava.bgp.codec.BgpFrameDecoder;
import org.calicojava.bgp.codec.CodecOptions;
import org.calicojava.bgp.codec.Message;
import org.calicojava.bgp.codec.Notification;
import org.calicojava.bgp.codec.Open;

/**
 * One TCP connection of a peer: its channel, who initiated it (for collision resolution, RFC 4271 6.8), and the OPEN
 * received on it. Inbound events go to the owning {@link Peer} on its event loop. Back-pressure: while the channel is not
 * writable, it stops reading, so a peer that does not drain our output cannot make us buffer without bound (and
 * {@link Peer#pauseReading} stops it too: reading resumes only when neither holds).
 */
final class Connection extends ChannelInboundHandlerAdapter {
    final Channel channel;
    final boolean outgoing;
    final Peer peer;
    Open open;
    boolean keepaliveSeen;
    boolean closing;
    /** How long a NOTIFICATION's sender waits for the peer to close before it closes the socket itself. */
    static final long LINGER_MS = 2000;

    Connection(Channel channel, boolean outgoing, Peer peer) {
        this.channel = channel;
        this.outgoing = outgoing;
        this.peer = peer;
    }

    /** Installs the codec and this handler; call before the channel becomes active or right after accept. */
    void install() {
        channel.attr(CodecOptions.KEY).set(CodecOptions.DEFAULT);
        channel.pipeline()
                .addLast("frame", new BgpFrameDecoder())
                .addLast("encoder", BgpEncoder.INSTANCE)
                .addLast("session", this);
    }

    InetAddress localAddress() {
        return channel.localAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    }

    void send(Message m) {
        channel.writeAndFlush(m, channel.voidPromise());
    }

    void write(Message m) {
        channel.write(m, channel.voidPromise());
    }

    void flush() {
        channel.flush();
    }

    /**
     * Sends the NOTIFICATION and closes (RFC 4271). Once it is flushed, our side is shut down (a FIN after the
     * NOTIFICATION) and whatever the peer still sends is read and dropped until it closes, at most {@link #LINGER_MS}:
     * closing a socket with unread input sends a RST instead, and a peer busy writing UPDATEs (gobgpd) then fails on the
     * write and may never read the NOTIFICATION.
     */
    void notifyAndClose(Notification n) {
        closing = true;
        if (!channel.isActive()) {
            channel.close();
            return;
        }
        channel.writeAndFlush(n).addListener(f -> {
            if (!f.isSuccess() || !(channel instanceof DuplexChannel d)) {
                channel.close();
                return;
            }
            channel.config().setAutoRead(true);
            d.shutdownOutput();
            channel.eventLoop().schedule(() -> channel.close(), LINGER_MS, TimeUnit.MILLISECONDS);
        });
    }

    void close() {
        closing = true;
        channel.close();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        peer.received(this, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        peer.closed(this, "connection closed by peer");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        String m = cause.getMessage();
        peer.closed(
                this, "connection error: " + (m != null ? m : cause.getClass().getSimpleName()));
        ctx.close();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        peer.writabilityChanged(this);
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public String toString() {
        return (outgoing ? "outgoing" : "incoming") + " " + channel.remoteAddress();
    }
}
