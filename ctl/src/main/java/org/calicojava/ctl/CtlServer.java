package org.calicojava.ctl;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.unix.PeerCredentials;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.netlink.SocketAccess;
import org.calicojava.store.cli.EtcdOptions;
import org.calicojava.unixhttp.UnixHttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The resident javactl ({@code javactl serve}, started by {@code javactl node run --ctl-server}): one JVM that runs
 * the read commands {@code bin/javactl} hands over, so such a call costs no JVM start. HTTP/1.1 on a unix domain
 * socket ({@link UnixHttpServer}, as the CNI server and the Docker driver): {@code POST /v1/run} with the command line
 * as body (each argument UTF-8, NUL-terminated) and the caller's environment variables that javactl reads
 * ({@link #FORWARDED}) as headers {@code Env-NAME}; the answer is 200 with {@code Exit-Code} and {@code Stdout-Length}
 * headers and, as body, the call's stdout then its stderr, exactly what the one-shot process prints (the same code:
 * {@link Main#run}, with the caller's environment through {@link CallContext}; none of the server's own).
 * {@code GET /health} and {@code GET /metrics} beside them. Only read commands ({@link #serves}) run here: the shim sends
 * no others, and the server refuses them (403) if one comes. Access: root (or this process's user) only, socket 0660.
 */
public final class CtlServer implements AutoCloseable {
    static final String DEFAULT_SOCKET = "/var/run/calico-java/javactl.sock";
    /** The environment variables a call may carry: etcd settings (as every program reads them) and HOSTNAME. */
    static final Set<String> FORWARDED = Set.of(
            EtcdOptions.ENV_ENDPOINTS,
            EtcdOptions.ENV_CA,
            EtcdOptions.ENV_CERT,
            EtcdOptions.ENV_KEY,
            EtcdOptions.ENV_USERNAME,
            EtcdOptions.ENV_PASSWORD,
            EtcdOptions.ENV_PASSWORD_FILE,
            EtcdOptions.ENV_PREFIX,
            "HOSTNAME");

    static final int MAX_BODY = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(CtlServer.class);

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter calls = Counter.builder()
            .name("javactl_server_calls_total")
            .help("javactl calls run by the resident server, by command word and exit code")
            .labelNames("command", "exit")
            .register(registry);
    private final Histogram seconds = Histogram.builder()
            .name("javactl_server_call_seconds")
            .help("time to run one javactl call in the resident server")
            .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5)
            .register(registry);
    private final Counter refused = Counter.builder()
            .name("javactl_server_refused_total")
            .help("requests answered with an HTTP error, by status")
            .labelNames("status")
            .register(registry);
    private final UnixHttpServer server;

    public CtlServer(Path socket) throws IOException, InterruptedException {
        CallContext.demultiplexStderr();
        server = new UnixHttpServer(
                socket,
                new SocketAccess(null),
                new UnixHttpServer.Options("javactl socket", 4, 64, MAX_BODY),
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
                        return error(403, why);
                    }

                    @Override
                    public FullHttpResponse malformed(String why) {
                        return error(400, why);
                    }

                    @Override
                    public FullHttpResponse tooLarge(int maxBody) {
                        return error(413, "command line over " + maxBody + " bytes");
                    }
                });
        LOG.info("javactl server on {} (mode 0660, root only)", server.socket());
    }

    Path socket() {
        return server.socket();
    }

    /**
     * Whether the server runs this command line: {@code version}, {@code get ...} and the {@code show} commands (reads
     * of etcd), as picocli parses the line, never with an argument {@code -} (stdin). The command is what picocli
     * resolves, not the words: an option's value or a name that reads "show" ({@code node run --name show}) does not
     * make a command a read. A line picocli refuses is not run here either (the caller's own JVM prints its error).
     */
    static boolean serves(List<String> args) {
        if (args.isEmpty() || args.contains("-")) {
            return false;
        }
        String[] line = args.toArray(String[]::new);
        String word = Main.commandWord(line);
        if (word == null || !Javactl.COMMANDS.containsKey(word)) {
            return false;
        }
        CommandLine cl = new CommandLine(new Javactl());
        cl.addSubcommand(word, Javactl.COMMANDS.get(word).get());
        CommandLine.ParseResult parsed;
        try {
            parsed = cl.parseArgs(line);
        } catch (CommandLine.ParameterException e) {
            return false;
        }
        if (!parsed.hasSubcommand()) {
            return false;
        }
        CommandLine.ParseResult top = parsed.subcommand();
        CommandLine.ParseResult leaf = top;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        String command = top.commandSpec().name();
        return command.equals("version")
                || command.equals("get")
                || leaf.commandSpec().name().equals("show");
    }

    private FullHttpResponse answer(FullHttpRequest req) {
        String path = req.uri();
        String method = req.method().name();
        if (method.equals("GET") && path.equals("/health")) {
            return text(200, "{\"status\":\"ok\"}\n");
        }
        if (method.equals("GET") && path.equals("/metrics")) {
            return text(200, new PrometheusTextFormatWriter(false).toDebugString(registry.scrape()));
        }
        if (!method.equals("POST") || !path.equals("/v1/run")) {
            return error(404, "no " + method + " " + path + " here (POST /v1/run, GET /health, GET /metrics)");
        }
        List<String> args = args(ByteBufUtil.getBytes(req.content()));
        if (args == null) {
            return error(400, "the command line must be NUL-terminated UTF-8 arguments");
        }
        if (!serves(args)) {
            return error(403, "not run by the server (reads only): run it without the server");
        }
        Map<String, String> env = new HashMap<>();
        for (Map.Entry<String, String> h : req.headers().entries()) {
            String name = h.getKey();
            if (name.regionMatches(true, 0, "Env-", 0, 4)) {
                String var = name.substring(4);
                if (!FORWARDED.contains(var)) {
                    return error(400, "environment variable " + var + " is not one javactl reads");
                }
                env.put(var, new String(h.getValue().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
            }
        }
        return run(args, env);
    }

    private FullHttpResponse run(List<String> args, Map<String, String> env) {
        long t0 = System.nanoTime();
        StringWriter out = new StringWriter();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc;
        try (PrintWriter o = new PrintWriter(out, true);
                PrintWriter e = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true)) {
            rc = CallContext.with(env, err, () -> Main.run(args.toArray(String[]::new), o, e));
        } catch (RuntimeException | Error e) {
            LOG.error("javactl call failed unexpectedly (server keeps running): {}", e.toString());
            return error(500, "javactl server: " + e);
        }
        String word = Main.commandWord(args.toArray(String[]::new));
        calls.labelValues(word == null ? "" : word, Integer.toString(rc)).inc();
        seconds.observe((System.nanoTime() - t0) / 1e9);
        byte[] o = out.toString().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse resp = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(o, err.toByteArray()));
        resp.headers().set("Exit-Code", Integer.toString(rc));
        resp.headers().set("Stdout-Length", Integer.toString(o.length));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
        return resp;
    }

    /** The arguments of a body of NUL-terminated UTF-8 strings, or null when it is not one. */
    static List<String> args(byte[] body) {
        List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < body.length; i++) {
            if (body[i] == 0) {
                args.add(new String(body, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return start == body.length ? args : null;
    }

    private FullHttpResponse error(int status, String msg) {
        refused.labelValues(Integer.toString(status)).inc();
        FullHttpResponse resp = text(status, "Error: " + msg + "\n");
        resp.headers().set("Exit-Code", "1");
        return resp;
    }

    private static FullHttpResponse text(int status, String body) {
        FullHttpResponse resp = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status),
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
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
