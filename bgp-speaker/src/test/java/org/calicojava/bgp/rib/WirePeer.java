package org.calicojava.bgp.rib;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.calicojava.bgp.codec.Capabilities;
import org.calicojava.bgp.codec.CodecOptions;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Keepalive;
import org.calicojava.bgp.codec.Message;
import org.calicojava.bgp.codec.MessageDecoder;
import org.calicojava.bgp.codec.MessageEncoder;
import org.calicojava.bgp.codec.MpReach;
import org.calicojava.bgp.codec.Nlri;
import org.calicojava.bgp.codec.Notification;
import org.calicojava.bgp.codec.Open;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.codec.Update;

/**
 * A test BGP peer on a plain socket: connects from its own 127.x address to a speaker (which lists it as a passive
 * neighbour), offers IPv4 and IPv6 unicast with hold time 0, and decodes every UPDATE it receives into a table of what
 * the speaker advertises to it (prefix -> attributes and MP_REACH next hop), exactly as it came over the wire.
 */
final class WirePeer implements AutoCloseable {
    /** One received route: the attributes and, for MP_REACH families, the next hop bytes. */
    record Received(PathAttributes attrs, byte[] mpNextHop) {
        String nextHop() {
            return mpNextHop != null
                    ? Prefix.formatAddress(Arrays.copyOf(mpNextHop, 16))
                    : Ip.v4String(attrs.nextHop());
        }
    }

    final String local;
    final long as;
    final Map<Prefix, Received> routes = new ConcurrentHashMap<>();
    final List<Update> updates = new CopyOnWriteArrayList<>();
    private final Socket socket;
    private final OutputStream out;
    private final CodecOptions options;
    private volatile boolean established;
    volatile String error;

    WirePeer(String local, long as, String speaker, int port, boolean ibgp) throws IOException {
        this.local = local;
        this.as = as;
        options = new CodecOptions(true, Set.of(), Set.of(), false, ibgp);
        long deadline = System.nanoTime() + 30_000_000_000L;
        Socket s;
        while (true) {
            s = new Socket();
            s.bind(new InetSocketAddress(local, 0));
            try {
                s.connect(new InetSocketAddress(speaker, port), 2000);
                break;
            } catch (IOException e) {
                s.close();
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    throw new IOException(ie);
                }
            }
        }
        socket = s;
        out = socket.getOutputStream();
        Capabilities caps = new Capabilities(
                Set.of(Family.IPV4_UNICAST, Family.IPV6_UNICAST), as, true, false, null, Map.of(), false);
        send(Open.of(as, 0, Ip.v4Int(local), caps));
        Thread t = new Thread(this::read, "wirepeer-" + local);
        t.setDaemon(true);
        t.start();
    }

    boolean established() {
        return established;
    }

    synchronized void send(Message m) throws IOException {
        ByteBuf b = Unpooled.buffer();
        MessageEncoder.encode(m, options, b);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        b.release();
        out.write(bytes);
        out.flush();
    }

    /** Announces IPv4 prefixes in the NLRI field (attributes must carry NEXT_HOP). */
    void announce(PathAttributes a, String... prefixes) throws IOException {
        Nlri.Builder b = Nlri.builder(Family.IPV4_UNICAST, false);
        for (String p : prefixes) {
            b.add(Prefix.parse(p));
        }
        send(Update.announce(a, b.build()));
    }

    /** Announces IPv6 prefixes through MP_REACH_NLRI with {@code nextHop}. */
    void announce6(PathAttributes a, String nextHop, String... prefixes) throws IOException {
        Nlri.Builder b = Nlri.builder(Family.IPV6_UNICAST, false);
        for (String p : prefixes) {
            b.add(Prefix.parse(p));
        }
        send(Update.announce(
                a, new MpReach(Family.IPV6_UNICAST, Ip.parse(nextHop).getAddress(), b.build())));
    }

    void withdraw(String... prefixes) throws IOException {
        Prefix first = Prefix.parse(prefixes[0]);
        Nlri.Builder b = Nlri.builder(first.family(), false);
        for (String p : prefixes) {
            b.add(Prefix.parse(p));
        }
        send(Update.withdraw(b.build()));
    }

    Received route(String prefix) {
        return routes.get(Prefix.parse(prefix));
    }

    private void read() {
        MessageDecoder decoder = new MessageDecoder();
        try (DataInputStream in = new DataInputStream(socket.getInputStream())) {
            byte[] header = new byte[19];
            while (true) {
                in.readFully(header);
                int len = (header[16] & 0xff) << 8 | header[17] & 0xff;
                byte[] msg = Arrays.copyOf(header, len);
                in.readFully(msg, 19, len - 19);
                Message m = decoder.decode(Unpooled.wrappedBuffer(msg), options);
                if (m instanceof Open) {
                    send(Keepalive.INSTANCE);
                } else if (m instanceof Keepalive) {
                    established = true;
                } else if (m instanceof Notification n) {
                    error = n.toString();
                    return;
                } else if (m instanceof Update u) {
                    apply(u);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (error == null) {
                error = String.valueOf(e.getMessage());
            }
        }
    }

    private void apply(Update u) {
        updates.add(u);
        remove(u.withdrawn());
        if (u.mpUnreach() != null) {
            remove(u.mpUnreach().nlri());
        }
        for (int i = 0; i < u.nlri().size(); i++) {
            routes.put(Rib.prefix(u.nlri(), i), new Received(u.attributes(), null));
        }
        if (u.mpReach() != null) {
            Nlri n = u.mpReach().nlri();
            for (int i = 0; i < n.size(); i++) {
                routes.put(
                        Rib.prefix(n, i),
                        new Received(u.attributes(), u.mpReach().nextHop()));
            }
        }
    }

    private void remove(Nlri n) {
        for (int i = 0; i < n.size(); i++) {
            routes.remove(Rib.prefix(n, i));
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
