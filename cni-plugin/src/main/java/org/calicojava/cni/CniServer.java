package org.calicojava.cni;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.unix.PeerCredentials;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.calicojava.netlink.SocketAccess;
import org.calicojava.unixhttp.UnixHttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resident calico-java CNI server ({@code calico-java-cni serve}): one JVM that runs CNI calls handed over by the
 * thin shim {@code bin/calico-java-cni} (and calico-java-ipam), so a call costs no JVM start. HTTP/1.1 on a unix
 * domain socket ({@link UnixHttpServer}, shared with the Docker driver): {@code POST /v1/network} or
 * {@code /v1/ipam} with the call's CNI_* variables as headers and the configuration as body ({@link ServerRequest});
 * the answer is 200 with header {@code CNI-Exit-Code} and, as body, exactly the bytes the one-shot process would
 * write on stdout, produced by the same code ({@link Cli#run}). {@code GET /health} and {@code GET /metrics}
 * (Prometheus, {@link ServerMetrics}) beside them. A request that cannot be run gets 4xx with a CNI error JSON body;
 * an unexpected failure 500 with one; the server logs one line and keeps serving.
 * Access: the socket is 0660 root:root ({@link SocketAccess}: bound privately, published in place) and each
 * connection's peer credentials must be uid 0 (or this process's own uid): the plugin acts as root on the host.
 * Calls run on {@value #WORKERS} worker threads (they block on etcd, netlink and delegated plugins), not the event loop.
 * On SIGTERM the socket goes at once and the calls in flight are finished and answered ({@link #drain}) before the
 * connections close.
 */
public final class CniServer implements AutoCloseable {
    static final String DEFAULT_SOCKET = "/var/run/calico-java/cni.sock";
    static final int WORKERS = 32;
    static final int MAX_CLIENTS = 256;
    private static final Logger LOG = LoggerFactory.getLogger(CniServer.class);

    private final Map<String, String> serverEnv;
    private final ServerMetrics metrics = new ServerMetrics();
    private final UnixHttpServer server;

    public CniServer(Path socket, Map<String, String> serverEnv) throws IOException, InterruptedException {
        this.serverEnv = Map.copyOf(serverEnv);
        server = new UnixHttpServer(
                socket,
                new SocketAccess(null),
                new UnixHttpServer.Options("CNI socket", WORKERS, MAX_CLIENTS, NetConf.MAX_BYTES, drain(serverEnv)),
                new UnixHttpServer.App() {
                    @Override
                    public FullHttpResponse handle(FullHttpRequest req) {
                        return answer(req);
                    }

                    @Override
                    public String refuse(PeerCredentials c) {
                        return SocketAccess.refuseUnlessRoot(c.uid(), c.pid());
                    }

                    @Override
                    public FullHttpResponse denied(String why) {
                        return error(403, CniException.INVALID_ENVIRONMENT, why);
                    }

                    @Override
                    public FullHttpResponse malformed(String why) {
                        return error(400, CniException.DECODE_FAILURE, why);
                    }

                    @Override
                    public FullHttpResponse tooLarge(int maxBody) {
                        return error(
                                413, CniException.DECODE_FAILURE, "network configuration: over " + maxBody + " bytes");
                    }
                });
        LOG.info("calico-java CNI server on {} (mode 0660, root only, {} workers)", server.socket(), WORKERS);
    }

    /**
     * How long a closing server waits for calls in flight: a call runs at most three delegated plugins one after the
     * other (IPAM ADD, bandwidth, IPAM DEL on rollback), each bounded by CALICO_JAVA_CNI_PLUGIN_TIMEOUT, plus etcd
     * and kernel time.
     */
    static Duration drain(Map<String, String> env) {
        long timeout;
        try {
            timeout = ExecPlugin.timeoutSeconds(env);
        } catch (CniException e) {
            timeout = ExecPlugin.TIMEOUT_SECONDS;
        }
        return Duration.ofSeconds(3 * timeout + 30);
    }

    Path socket() {
        return server.socket();
    }

    private FullHttpResponse answer(FullHttpRequest req) {
        String path = req.uri();
        int q = path.indexOf('?');
        path = q < 0 ? path : path.substring(0, q);
        String method = req.method().name();
        if (method.equals("GET") && path.equals("/health")) {
            return text("{\"status\":\"ok\"}\n", "application/json");
        }
        if (method.equals("GET") && path.equals("/metrics")) {
            return text(metrics.text(), "text/plain; version=0.0.4; charset=utf-8");
        }
        try {
            return run(ServerRequest.of(method, path, req.headers().entries(), ByteBufUtil.getBytes(req.content())));
        } catch (ServerRequest.Invalid e) {
            LOG.warn("CNI socket: bad request: {}", e.getMessage());
            return error(e.status, e.code, e.getMessage());
        } catch (RuntimeException | Error e) {
            LOG.error("CNI call failed unexpectedly (server keeps running)", e);
            return error(500, CniException.PLUGIN_FAILURE, "calico-java CNI server: " + e);
        }
    }

    /** One call through the plugin's own code path; the body is its stdout. */
    private FullHttpResponse run(ServerRequest req) {
        long t0 = System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        ByteArrayOutputStream err = new ByteArrayOutputStream(256);
        int rc;
        try (PrintStream o = new PrintStream(out, false, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, false, StandardCharsets.UTF_8)) {
            rc = Cli.run(req.kind(), req.processEnv(serverEnv), new ByteArrayInputStream(req.stdin()), o, e);
        }
        metrics.call(req.kind(), req.command(), rc, (System.nanoTime() - t0) / 1e9);
        FullHttpResponse resp = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(out.toByteArray()));
        resp.headers().set("CNI-Exit-Code", Integer.toString(rc));
        if (err.size() > 0) {
            String line = err.toString(StandardCharsets.UTF_8).strip();
            LOG.warn("{}", line);
            // the one-shot process's stderr line, for the shim to pass on: one line of printable ASCII
            line = line.replaceAll("[^\\x20-\\x7e]", " ");
            resp.headers().set("CNI-Stderr", line.length() > 2000 ? line.substring(0, 2000) : line);
        }
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        return resp;
    }

    private FullHttpResponse error(int status, int code, String msg) {
        metrics.refused(status);
        byte[] body = (new CniException(code, msg).toJson(Versions.CURRENT).toString() + "\n")
                .getBytes(StandardCharsets.UTF_8);
        FullHttpResponse resp = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
        resp.headers().set("CNI-Exit-Code", "1");
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        return resp;
    }

    private static FullHttpResponse text(String body, String type) {
        FullHttpResponse resp = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        return resp;
    }

    /** Serves until SIGTERM; then the socket is removed. */
    public void serveUntilTerminated() throws InterruptedException {
        server.serveUntilTerminated();
    }

    @Override
    public void close() {
        server.close();
    }
}
