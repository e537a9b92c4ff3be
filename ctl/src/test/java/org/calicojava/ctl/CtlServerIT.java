package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resident javactl ({@code bin/javactl serve}, a real process) and bin/javactl's shim, on a real etcd: every read
 * handed over answers exactly as the one-shot process does (stdout, stderr, exit code), with the caller's etcd
 * settings and never the server's; writes, stdin and relative paths stay in the caller's process; the server's own
 * counter proves which way each call went.
 */
class CtlServerIT {
    private static final String JAVACTL =
            Path.of("..", "bin", "javactl").toAbsolutePath().normalize().toString();

    private final Cli cli = new Cli();

    @TempDir
    Path tmp;

    private Path socket;
    private Process server;

    record Run(int code, String out, String err) {}

    @BeforeEach
    void startServer() throws Exception {
        socket = tmp.resolve("javactl.sock");
        ProcessBuilder pb = new ProcessBuilder(JAVACTL, "serve", "--socket", socket.toString())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("serve.log").toFile());
        // settings of its own that a call must never see
        pb.environment().put("ETCD_ENDPOINTS", "http://127.0.0.1:9");
        pb.environment().put("CALICO_ETCD_PREFIX", "/not-this-one");
        pb.environment().put("JAVACTL_SOCKET", "");
        server = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(socket) && server.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(socket).as(Files.readString(tmp.resolve("serve.log"))).exists();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.destroy(); // SIGTERM, by the PID this test started
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        cli.close();
    }

    private Run call(boolean viaServer, String... args) throws IOException, InterruptedException {
        return call(viaServer, tmp, null, args);
    }

    private Run call(boolean viaServer, Path cwd, String stdin, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(JAVACTL));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        Map<String, String> env = pb.environment();
        env.put("JAVACTL_SOCKET", viaServer ? socket.toString() : "");
        env.put("ETCD_ENDPOINTS", cli.endpoints);
        env.put("CALICO_ETCD_PREFIX", cli.keys.root());
        env.put("HOSTNAME", "host-a");
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        Future<byte[]> err;
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            err = ex.submit(() -> p.getErrorStream().readAllBytes());
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            return new Run(p.exitValue(), out, new String(err.get(), StandardCharsets.UTF_8));
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e);
        } finally {
            ex.shutdownNow();
        }
    }

    /** GET PATH on the server's socket: status line, headers and body. */
    private String get(String path) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            return new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private String post(String headers, byte[] body) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap(("POST /v1/run HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + headers
                            + "Content-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            ch.write(ByteBuffer.wrap(body));
            return new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Calls the server ran, all commands and exit codes together. */
    private long served() throws IOException {
        Matcher m = Pattern.compile("(?m)^javactl_server_calls_total\\{[^}]*} (\\d+)")
                .matcher(get("/metrics"));
        long n = 0;
        while (m.find()) {
            n += Long.parseLong(m.group(1));
        }
        return n;
    }

    @Test
    void readsAnswerAsTheOneShotProcessWithTheCallersSettings() throws Exception {
        cli.ok("pool", "add", "10.1.0.0/16", "--nat-outgoing");
        cli.ok("pool", "add", "fd00:1::/64", "--vxlan");
        cli.ok("profile", "add", "web");
        cli.ok("ipam", "assign", "--ip", "10.1.0.7", "--host", "host-a");
        // a record javactl cannot show: a warning line on stderr, from the server as from the process
        cli.etcd.put(cli.keys.root() + "/v1/ipam/v4/pool/10.7.0.0-16", "{\"cidr\":\"10.7.0.0/16\",\"block_size\":3}");
        List<String[]> lines = List.of(
                new String[] {"version"},
                new String[] {"pool", "show"},
                new String[] {"pool", "show", "-o", "json"},
                new String[] {"get", "ippool", "-o", "yaml"},
                new String[] {"get", "profile", "web", "-o", "json"},
                new String[] {"get", "ippool", "--help"},
                new String[] {"ipam", "show"},
                new String[] {"profile", "show"},
                new String[] {"node", "show"},
                new String[] {"pool", "show", "--bogus"},
                new String[] {"get", "nosuchkind"},
                new String[] {"get", "profile", "nosuchprofile"},
                new String[] {"--etcd-prefix", "/elsewhere", "pool", "show"});
        long before = served();
        for (String[] line : lines) {
            Run cold = call(false, line);
            Run warm = call(true, line);
            assertThat(warm).as(String.join(" ", line)).isEqualTo(cold);
        }
        // every line but the one picocli refuses ("pool show --bogus": its own JVM prints the usage error)
        assertThat(served() - before).isEqualTo(lines.size() - 1);
        assertThat(call(true, "pool", "show").out()).contains("10.1.0.0/16", "fd00:1::/64");
        assertThat(call(true, "get", "ippool").err()).contains("WARN", "skipping pool", "10.7.0.0-16");

        // calls in parallel get their own answers
        ExecutorService ex = Executors.newFixedThreadPool(6);
        try {
            List<Future<Run>> runs = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String[] line = i % 2 == 0 ? new String[] {"pool", "show"} : new String[] {"get", "profile", "web"};
                runs.add(ex.submit(() -> call(true, line)));
            }
            Run pools = call(false, "pool", "show"), web = call(false, "get", "profile", "web");
            for (int i = 0; i < runs.size(); i++) {
                assertThat(runs.get(i).get()).isEqualTo(i % 2 == 0 ? pools : web);
            }
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void writesStdinAndRelativePathsStayInTheCallersProcess() throws Exception {
        long before = served();
        Run add = call(true, "pool", "add", "10.9.0.0/16");
        assertThat(add.code()).as(add.err()).isZero();
        assertThat(cli.get(cli.keys.root() + "/v1/ipam/v4/pool/10.9.0.0-16")).contains("10.9.0.0/16");
        String yaml = "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {}\nspec: {cidr: 10.8.0.0/16}\n";
        Run apply = call(true, tmp, yaml, "apply", "-f", "-");
        assertThat(apply.code()).as(apply.err()).isZero();
        assertThat(cli.get(cli.keys.root() + "/v1/ipam/v4/pool/10.8.0.0-16")).contains("10.8.0.0/16");
        Files.writeString(tmp.resolve("ippool"), "a file named like the kind");
        assertThat(call(true, "get", "ippool").out()).contains("10.8.0.0/16", "10.9.0.0/16");
        assertThat(served()).isEqualTo(before);
    }

    @Test
    void theServerRefusesWhatTheShimWouldNotSend() throws Exception {
        assertThat(get("/health")).startsWith("HTTP/1.1 200").contains("\"status\":\"ok\"");
        List<String> keys = cli.snapshot();
        String write = post(
                "Env-ETCD_ENDPOINTS: " + cli.endpoints + "\r\nEnv-CALICO_ETCD_PREFIX: " + cli.keys.root() + "\r\n",
                "pool\0add\00010.2.0.0/16\0".getBytes(StandardCharsets.UTF_8));
        assertThat(write).startsWith("HTTP/1.1 403").contains("reads only");
        assertThat(cli.snapshot()).isEqualTo(keys);
        assertThat(post("Env-PATH: /tmp\r\n", "pool\0show\0".getBytes(StandardCharsets.UTF_8)))
                .startsWith("HTTP/1.1 400")
                .contains("PATH is not one javactl reads");
        assertThat(post("", "pool\0show".getBytes(StandardCharsets.UTF_8))).startsWith("HTTP/1.1 400");
        assertThat(get("/metrics")).contains("javactl_server_refused_total{status=\"403\"} 1");
    }

    @Test
    void withTheServerGoneTheShimRunsTheCallItself() throws Exception {
        cli.ok("pool", "add", "10.1.0.0/16");
        Run warm = call(true, "pool", "show");
        server.destroy();
        assertThat(server.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(socket).doesNotExist(); // removed on SIGTERM
        assertThat(call(true, "pool", "show")).isEqualTo(warm);
        // a socket nobody answers on (a server killed with SIGKILL leaves one): the same
        try (var ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(call(true, "pool", "show")).isEqualTo(warm);
    }
}
