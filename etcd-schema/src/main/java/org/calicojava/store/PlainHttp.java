package org.calicojava.store;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A minimal HTTP/1.1 POST client over a plain socket, kept alive between calls: what a one-shot command needs to talk
 * to etcd's JSON gateway without the start-up cost of java.net.http (selector thread, default SSL context). Handles
 * Content-Length and chunked bodies. Not thread-safe: one per store, used from one thread.
 */
final class PlainHttp implements AutoCloseable {
    record Response(int status, String body) {}

    private final int timeoutMillis;
    private final int connectMillis;
    private Socket socket;
    private URI connected;
    private InputStream in;
    private OutputStream out;

    /** {@code connectMillis}: how long a connect may take (short with several members: a cut-off one is skipped fast). */
    PlainHttp(int timeoutMillis, int connectMillis) {
        this.timeoutMillis = timeoutMillis;
        this.connectMillis = connectMillis;
    }

    Response post(URI endpoint, String path, String body, String authorization) throws IOException {
        try {
            return once(endpoint, path, body, authorization);
        } catch (IOException e) {
            if (socket != null
                    && connected != null
                    && connected.equals(endpoint)
                    && !(e instanceof java.net.ConnectException)
                    && !(e instanceof java.net.SocketTimeoutException)) {
                close(); // a kept-alive connection the server closed: one fresh try
                return once(endpoint, path, body, authorization);
            }
            close();
            throw e;
        }
    }

    private Response once(URI endpoint, String path, String body, String authorization) throws IOException {
        if (socket == null || !endpoint.equals(connected)) {
            close();
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            s.connect(
                    new InetSocketAddress(endpoint.getHost(), endpoint.getPort() < 0 ? 80 : endpoint.getPort()),
                    connectMillis);
            s.setSoTimeout(timeoutMillis);
            socket = s;
            connected = endpoint;
            in = new BufferedInputStream(s.getInputStream());
            out = s.getOutputStream();
        }
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder req = new StringBuilder(160)
                .append("POST ")
                .append(path)
                .append(" HTTP/1.1\r\nHost: ")
                .append(endpoint.getHost())
                .append(':')
                .append(endpoint.getPort())
                .append("\r\nContent-Type: application/json\r\nContent-Length: ")
                .append(b.length)
                .append("\r\n");
        if (authorization != null) {
            req.append("Authorization: ").append(authorization).append("\r\n");
        }
        req.append("\r\n");
        out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(b);
        out.flush();
        String status = line();
        if (!status.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP answer: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean closeAfter = false;
        for (String h = line(); !h.isEmpty(); h = line()) {
            String lower = h.toLowerCase();
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(h.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                closeAfter = true;
            }
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        if (chunked) {
            for (long n = Long.parseLong(line().split(";")[0].trim(), 16);
                    n > 0;
                    n = Long.parseLong(line().split(";")[0].trim(), 16)) {
                copy(buf, n);
                line();
            }
            for (String t = line(); !t.isEmpty(); t = line()) {
                // trailers
            }
        } else if (length >= 0) {
            copy(buf, length);
        } else {
            in.transferTo(buf);
            closeAfter = true;
        }
        if (closeAfter) {
            close();
        }
        return new Response(code, buf.toString(StandardCharsets.UTF_8));
    }

    private void copy(ByteArrayOutputStream buf, long n) throws IOException {
        byte[] chunk = new byte[8192];
        while (n > 0) {
            int r = in.read(chunk, 0, (int) Math.min(chunk.length, n));
            if (r < 0) {
                throw new IOException("connection closed mid-answer");
            }
            buf.write(chunk, 0, r);
            n -= r;
        }
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed mid-answer");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        socket = null;
        connected = null;
    }
}
