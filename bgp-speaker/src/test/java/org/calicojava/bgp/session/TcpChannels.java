package org.calicojava.bgp.session;

import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.calicojava.bgp.codec.Ip;

/** Embedded channels with socket addresses, as a TCP connection from a peer to our port 179 has them. */
final class TcpChannels {
    private TcpChannels() {}

    /** A connection from {@code remote}:{@code remotePort} to 127.0.0.1:179. */
    static EmbeddedChannel from(InetAddress remote, int remotePort) {
        return new EmbeddedChannel() {
            @Override
            protected SocketAddress localAddress0() {
                return new InetSocketAddress(Ip.parse("127.0.0.1"), 179);
            }

            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress(remote, remotePort);
            }
        };
    }
}
