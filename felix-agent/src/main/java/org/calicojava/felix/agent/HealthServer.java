package org.calicojava.felix.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * felix's health endpoints on the JDK's HTTP server: {@code /liveness} and {@code /readiness} (200 or 503); port 0 in
 * the config means off (not started). Metrics are served by the Prometheus client ({@link Metrics#serve}).
 */
public final class HealthServer implements AutoCloseable {
    private final HttpServer server;

    private HealthServer(HttpServer server) {
        this.server = server;
    }

    /** Health endpoints on {@code port}. */
    public static HealthServer health(String bind, int port, BooleanSupplier live, BooleanSupplier ready) {
        HttpServer s = create(bind, port);
        s.createContext(
                "/liveness",
                ex -> reply(ex, live.getAsBoolean() ? 200 : 503, live.getAsBoolean() ? "live\n" : "not live\n"));
        s.createContext(
                "/readiness",
                ex -> reply(ex, ready.getAsBoolean() ? 200 : 503, ready.getAsBoolean() ? "ready\n" : "not ready\n"));
        s.start();
        return new HealthServer(s);
    }

    private static HttpServer create(String bind, int port) {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress(bind, port), 16);
            s.setExecutor(null);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("HTTP port " + bind + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private static void reply(HttpExchange ex, int code, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
        ex.sendResponseHeaders(code, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
