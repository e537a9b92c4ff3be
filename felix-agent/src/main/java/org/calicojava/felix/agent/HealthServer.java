package org.calicojava.felix.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * felix's health endpoints on the JDK's HTTP server: {@code /liveness} and {@code /readiness} (200 or 503); port 0 in
 * the config means off (not started). Metrics are served by the Prometheus client ({@link Metrics#serve}).
 */
public final class HealthServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads;

    private HealthServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /** Health endpoints on {@code port}. */
    public static HealthServer health(String bind, int port, BooleanSupplier live, BooleanSupplier ready) {
        limits();
        HttpServer s;
        try {
            s = HttpServer.create(new InetSocketAddress(bind, port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("HTTP port " + bind + ":" + port + ": " + e.getMessage(), e);
        }
        // a few threads, not the accepting thread: one slow client must not stall every probe
        ExecutorService threads = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "felix-health");
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(threads);
        s.createContext(
                "/liveness",
                ex -> reply(ex, live.getAsBoolean() ? 200 : 503, live.getAsBoolean() ? "live\n" : "not live\n"));
        s.createContext(
                "/readiness",
                ex -> reply(ex, ready.getAsBoolean() ? 200 : 503, ready.getAsBoolean() ? "ready\n" : "not ready\n"));
        s.start();
        return new HealthServer(s, threads);
    }

    /**
     * The JDK HTTP server's time limits, which it reads once, when the JVM's first server starts: a request must
     * arrive whole within 10 s and its answer be taken within 30 s, or the connection is closed. Without them a client
     * that sends one byte and waits holds a thread for good (the Prometheus client sets 60 s only if its server starts
     * first). Called before felix starts either server.
     */
    static void limits() {
        System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", "10");
        System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", "30");
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
        threads.shutdownNow();
    }
}
