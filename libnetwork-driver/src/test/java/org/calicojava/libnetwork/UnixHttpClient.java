package org.calicojava.libnetwork;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** A minimal HTTP/1.1 client on one unix socket connection (kept alive), as Docker's plugin client talks. */
final class UnixHttpClient implements AutoCloseable {
    record Reply(int status, Map<String, String> headers, String body) {}

    private final SocketChannel ch;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    UnixHttpClient(Path socket) throws IOException {
        ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
    }

    Reply post(String path, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head =
                "POST " + path + " HTTP/1.1\r\nHost: plugin\r\nAccept: application/vnd.docker.plugins.v1.2+json\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\n\r\n";
        ByteBuffer out = ByteBuffer.allocate(head.length() + b.length);
        out.put(head.getBytes(StandardCharsets.US_ASCII)).put(b).flip();
        while (out.hasRemaining()) {
            ch.write(out);
        }
        return read();
    }

    private Reply read() throws IOException {
        int headEnd;
        while ((headEnd = indexOf(pending.toByteArray(), "\r\n\r\n")) < 0) {
            fill();
        }
        byte[] all = pending.toByteArray();
        String[] lines = new String(all, 0, headEnd, StandardCharsets.US_ASCII).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            headers.put(
                    lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(c + 1).trim());
        }
        int len = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        while (pending.size() < headEnd + 4 + len) {
            fill();
        }
        all = pending.toByteArray();
        String body = new String(all, headEnd + 4, len, StandardCharsets.UTF_8);
        pending.reset();
        pending.write(all, headEnd + 4 + len, all.length - headEnd - 4 - len);
        return new Reply(status, headers, body);
    }

    private void fill() throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        if (ch.read(buf) < 0) {
            throw new IOException("connection closed by the plugin");
        }
        pending.write(buf.array(), 0, buf.position());
    }

    private static int indexOf(byte[] data, String pattern) {
        byte[] p = pattern.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + p.length <= data.length; i++) {
            for (int j = 0; j < p.length; j++) {
                if (data[i + j] != p[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
