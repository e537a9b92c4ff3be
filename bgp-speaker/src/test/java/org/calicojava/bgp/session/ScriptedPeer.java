package org.calicojava.bgp.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import org.calicojava.bgp.codec.CodecOptions;
import org.calicojava.bgp.codec.Message;
import org.calicojava.bgp.codec.MessageDecoder;
import org.calicojava.bgp.codec.MessageEncoder;

/** A BGP peer driven by the test over a plain socket: sends exactly the bytes a test wants and reads what comes back. */
final class ScriptedPeer implements AutoCloseable {
    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final MessageDecoder decoder = new MessageDecoder();
    CodecOptions options = CodecOptions.AS4;

    ScriptedPeer(String local, String remote, int port) throws IOException {
        this(connected(local, remote, port));
    }

    /** Wraps a connection the speaker opened to us (accepted from a ServerSocket). */
    ScriptedPeer(Socket accepted) throws IOException {
        socket = accepted;
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    private static Socket connected(String local, String remote, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(local, 0));
        s.connect(new InetSocketAddress(remote, port), 5000);
        return s;
    }

    void send(Message m) throws IOException {
        ByteBuf b = Unpooled.buffer();
        MessageEncoder.encode(m, options, b);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        out.write(bytes);
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next message, or null when the connection closed. */
    Message read(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        byte[] header = new byte[19];
        try {
            in.readFully(header);
        } catch (java.io.EOFException e) {
            return null;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no message within " + timeout);
        }
        int len = (header[16] & 0xff) << 8 | (header[17] & 0xff);
        byte[] msg = Arrays.copyOf(header, len);
        in.readFully(msg, 19, len - 19);
        return decoder.decode(Unpooled.wrappedBuffer(msg), options);
    }

    /** Reads until a message of {@code type} arrives (skipping others), or fails. */
    @SuppressWarnings("unchecked")
    <T extends Message> T readUntil(Class<T> type, Duration timeout) throws IOException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            Message m = read(Duration.ofNanos(Math.max(1_000_000, end - System.nanoTime())));
            if (m == null) {
                throw new AssertionError("connection closed while waiting for " + type.getSimpleName());
            }
            if (type.isInstance(m)) {
                return (T) m;
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " within " + timeout);
    }

    boolean closedByPeer(Duration timeout) throws IOException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            try {
                if (read(Duration.ofMillis(200)) == null) {
                    return true;
                }
            } catch (AssertionError e) {
                // nothing yet
            } catch (IOException e) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
