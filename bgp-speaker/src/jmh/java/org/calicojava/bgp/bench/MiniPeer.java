package org.calicojava.bgp.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.calicojava.bgp.codec.Capabilities;
import org.calicojava.bgp.codec.CodecOptions;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Keepalive;
import org.calicojava.bgp.codec.Message;
import org.calicojava.bgp.codec.MessageEncoder;
import org.calicojava.bgp.codec.Open;

/**
 * A minimal BGP peer for the pass-through benchmark (the same for every speaker under test): connects from its own
 * 127.x address, OPEN with hold time 0 (no keepalives), answers the peer's OPEN with a KEEPALIVE, counts the IPv4 NLRI
 * prefixes of every UPDATE it receives, and can send pre-encoded bytes.
 */
final class MiniPeer implements AutoCloseable {
    final Socket socket;
    final OutputStream out;
    final AtomicLong prefixes = new AtomicLong();
    final CountDownLatch established = new CountDownLatch(1);
    volatile long lastPrefixNanos;
    volatile long target = Long.MAX_VALUE;
    final CountDownLatch reached = new CountDownLatch(1);
    volatile String error;

    MiniPeer(String local, String remote, int port, long as) throws IOException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        Socket sock;
        while (true) {
            sock = new Socket();
            sock.setReceiveBufferSize(4 << 20);
            sock.setSendBufferSize(4 << 20);
            sock.bind(new InetSocketAddress(local, 0));
            try {
                sock.connect(new InetSocketAddress(remote, port), 2000);
                break;
            } catch (IOException e) {
                sock.close();
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
        socket = sock;
        out = socket.getOutputStream();
        Capabilities caps = new Capabilities(Set.of(Family.IPV4_UNICAST), as, false, false, null, Map.of(), false);
        out.write(bytes(Open.of(as, 0, Ip.v4Int(local), caps)));
        Thread t = new Thread(this::read, "minipeer-" + local);
        t.setDaemon(true);
        t.start();
    }

    static byte[] bytes(Message m) {
        ByteBuf b = Unpooled.buffer();
        MessageEncoder.encode(m, CodecOptions.AS4, b);
        byte[] r = new byte[b.readableBytes()];
        b.readBytes(r);
        b.release();
        return r;
    }

    private void read() {
        try (DataInputStream in =
                new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 1 << 16))) {
            byte[] buf = new byte[65536];
            while (true) {
                in.readFully(buf, 0, 19);
                int len = (buf[16] & 0xff) << 8 | buf[17] & 0xff, type = buf[18];
                in.readFully(buf, 19, len - 19);
                switch (type) {
                    case 1 -> {
                        synchronized (out) {
                            out.write(bytes(Keepalive.INSTANCE));
                        }
                    }
                    case 4 -> established.countDown();
                    case 3 -> {
                        error = "NOTIFICATION received";
                        return;
                    }
                    case 2 -> {
                        int i = 19, wlen = (buf[i] & 0xff) << 8 | buf[i + 1] & 0xff;
                        i += 2 + wlen;
                        int alen = (buf[i] & 0xff) << 8 | buf[i + 1] & 0xff;
                        i += 2 + alen;
                        long n = 0;
                        while (i < len) {
                            int pl = buf[i] & 0xff;
                            i += 1 + ((pl + 7) >>> 3);
                            n++;
                        }
                        if (n > 0 && prefixes.addAndGet(n) >= target) {
                            lastPrefixNanos = System.nanoTime();
                            reached.countDown();
                        }
                    }
                    default -> {}
                }
            }
        } catch (IOException e) {
            if (error == null) {
                error = e.getMessage();
            }
        }
    }

    void send(byte[] b) throws IOException {
        synchronized (out) {
            out.write(b);
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
