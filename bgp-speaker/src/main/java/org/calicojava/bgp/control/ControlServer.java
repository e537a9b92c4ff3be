package org.calicojava.bgp.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.rib.Rib;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;

/**
 * The control socket (unix domain): a client writes one command line and reads the answer until EOF. Commands:
 * {@code show protocols [json]}, {@code show route [PREFIX] [all]}, {@code reload}, {@code watch routes} (streams one
 * line per best-route change until the client closes).
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final Rib rib;
    private final Supplier<String> reload;
    private ServerSocketChannel server;
    private volatile boolean closed;

    public ControlServer(Path path, Rib rib, Supplier<String> reload) {
        this.path = path;
        this.rib = rib;
        this.reload = reload;
    }

    public void start() throws IOException {
        Files.deleteIfExists(path);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Thread t = new Thread(this::acceptLoop, "control");
        t.setDaemon(true);
        t.start();
        log.info("control socket {}", path);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel c = server.accept();
                Thread t = new Thread(() -> serve(c), "control-client");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) log.warn("control socket: {}", e.getMessage());
                return;
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c; OutputStream out = Channels.newOutputStream(c)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
            String line = in.readLine();
            if (line == null) return;
            if (line.trim().equals("watch routes")) {
                watch(c);
                return;
            }
            out.write(answer(line).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            log.debug("control client: {}", e.getMessage());
        }
    }

    /** The answer to one command (also used by tests). */
    public String answer(String line) {
        String[] w = line.trim().split("\\s+");
        try {
            if (w.length >= 2 && w[0].equals("show") && w[1].equals("protocols")) {
                List<Map<String, Object>> rows = rib.protocols();
                if (w.length == 3 && w[2].equals("json")) return JSON.writeValueAsString(rows) + "\n";
                if (w.length > 2) return "error: show protocols [json]\n";
                return table(rows);
            }
            if (w.length >= 2 && w[0].equals("show") && w[1].equals("route")) {
                Prefix p = null;
                boolean all = false;
                for (int i = 2; i < w.length; i++) {
                    if (w[i].equals("all")) all = true;
                    else p = Prefix.parse(w[i]);
                }
                return rib.showRoute(p, all);
            }
            if (w.length == 1 && w[0].equals("reload")) return reload.get() + "\n";
            return "error: unknown command: " + line.trim() + " (expected: show protocols [json], show route [PREFIX] [all], reload, watch routes)\n";
        } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            return "error: " + e.getMessage() + "\n";
        }
    }

    /**
     * Streams route changes until the client closes. A second thread waits for the client's EOF so a client that goes
     * away is noticed at once (not at the next change). Both use the channel directly: the stream adapters of a blocking
     * channel share one lock, so a blocked read through them would stall the writes.
     */
    private void watch(SocketChannel c) throws IOException {
        LinkedBlockingQueue<String> q = new LinkedBlockingQueue<>(100_000);
        java.util.function.Consumer<String> w = s -> { if (!q.offer(s)) q.clear(); };
        java.util.concurrent.atomic.AtomicBoolean gone = new java.util.concurrent.atomic.AtomicBoolean();
        Thread eof = new Thread(() -> {
            ByteBuffer b = ByteBuffer.allocate(256);
            try {
                while (c.read(b.clear()) >= 0) { /* a watching client has nothing more to say */ }
            } catch (IOException e) {
                // closed
            }
            gone.set(true);
            q.offer("");  // wakes the writer
        }, "control-watch-eof");
        eof.setDaemon(true);
        rib.watch(w);
        try {
            eof.start();
            write(c, "watching route changes\n");
            while (!closed && !gone.get()) {
                String s = q.poll(1, java.util.concurrent.TimeUnit.SECONDS);
                if (s != null && !gone.get()) write(c, s + "\n");
            }
            log.debug("control: watching client left");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            rib.unwatch(w);
        }
    }

    private static void write(SocketChannel c, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) c.write(b);
    }

    static String table(List<Map<String, Object>> rows) {
        String fmt = "%-22s %-6s %-12s %-9s %-9s %-9s %-9s %s%n";
        StringBuilder sb = new StringBuilder(String.format(fmt, "Peer", "Type", "State", "Since", "Received", "Accepted", "Advert.", "Info"));
        for (Map<String, Object> r : rows) {
            sb.append(String.format(fmt, r.get("address"), r.get("type"), r.get("state"), r.get("since"), r.get("received"),
                    r.get("accepted"), r.get("advertised"), r.get("info")));
        }
        return sb.toString();
    }

    @Override public void close() {
        closed = true;
        try {
            if (server != null) server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.debug("control socket close: {}", e.getMessage());
        }
    }
}
