package org.calicojava.cni;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One call never runs twice at once: a CNI server stopped (SIGTERM) in the middle of an ADD finishes it and answers
 * it before it goes, and the shim never re-runs it in a JVM of its own; an answer cut off after the request went out
 * is CNI error 11 (the call is not run again by the shim); a call waits for another call of the same attachment (the
 * attachment's lock file) and gives up with code 11.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CniServerRestartIT {
    /** A delegated IPAM that records its calls and takes 4 s to answer an ADD. */
    static final String SCRIPT = """
            #!/bin/sh
            d=DIR
            cat >/dev/null
            echo "$CNI_COMMAND $CNI_CONTAINERID" >> "$d/calls"
            case "$CNI_COMMAND" in
            ADD) sleep 4; echo '{"cniVersion":"1.0.0","ips":[{"address":"10.94.3.5/24"}]}' ;;
            esac
            exit 0
            """;

    CniHost host;
    Path dir;
    final CniConformanceIT conformance = new CniConformanceIT();

    @BeforeAll
    void setUp() throws Exception {
        host = new CniHost();
        host.pool("10.94.0.0/16", 0);
        conformance.host = host;
        dir = Files.createDirectory(host.tmp.resolve("slow-ipam"));
        Path exe = host.binDir.resolve("slow-ipam");
        Files.writeString(exe, SCRIPT.replace("DIR", dir.toString()));
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    void tearDown() {
        if (host != null) {
            host.close();
        }
    }

    String slowConf() {
        return host.conf("1.0.0", ",\"ipam\":{\"type\":\"slow-ipam\"}");
    }

    long count(String call) throws Exception {
        Path f = dir.resolve("calls");
        return Files.exists(f)
                ? Files.readAllLines(f).stream().filter(call::equals).count()
                : 0;
    }

    @Test
    void aServerStoppedInTheMiddleOfAnAddFinishesAndAnswersIt() throws Exception {
        Path socket = host.tmp.resolve("run-stop/cni.sock");
        Process server = host.startServer(socket, host.tmp.resolve("server-stop.log"));
        Path ns = host.container("st");
        String id = "stop" + host.sfx;
        try {
            CompletableFuture<CniHost.Call> add = CompletableFuture.supplyAsync(() -> host.call(
                    "calico-java-cni",
                    "ADD",
                    id,
                    ns,
                    "eth0",
                    slowConf(),
                    Map.of("CALICO_JAVA_CNI_SOCKET", socket.toString())));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (count("ADD " + id) == 0) {
                assertThat(System.nanoTime())
                        .as("the ADD reached the IPAM plugin")
                        .isLessThan(deadline);
                Thread.sleep(50);
            }
            server.destroy(); // SIGTERM while the ADD waits for its IPAM plugin
            CniHost.Call done = add.get(120, TimeUnit.SECONDS);
            assertThat(done.rc()).as("answered by the closing server: " + done).isZero();
            assertThat(done.json().get("ips").get(0).get("address").asText()).isEqualTo("10.94.3.5/32");
            assertThat(server.waitFor(60, TimeUnit.SECONDS))
                    .as("the server exits")
                    .isTrue();
            assertThat(socket).doesNotExist();
            assertThat(count("ADD " + id)).as("the ADD ran once").isEqualTo(1);
            assertThat(count("DEL " + id)).as("and was not rolled back").isZero();
            String hostIf = CniConformanceIT.hostIf(id, "eth0");
            assertThat(host.caliLinks()).containsOnlyOnce(hostIf);
            assertThat(host.endpoints()).anyMatch(kv -> kv.key().contains("/workload/cni/" + id + "/"));
            String log = Files.readString(host.tmp.resolve("server-stop.log"));
            assertThat(log).contains("waiting for 1 request(s) in flight");
        } finally {
            server.destroyForcibly();
            host.call("calico-java-cni", "DEL", id, ns, "eth0", slowConf());
        }
        conformance.assertNothingLeft(id, "eth0");
    }

    @Test
    void anAnswerCutOffAfterTheRequestWentOutIsTryAgainLater() throws Exception {
        Path socket = host.tmp.resolve("cut.sock");
        Path ns = host.container("cu");
        String id = "cut" + host.sfx;
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(socket));
            // a server that takes the whole request and closes without a word (as one that died mid-call)
            CompletableFuture<String> taken = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel c = s.accept()) {
                    return readRequest(c);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            CniHost.Call add = host.call(
                    "calico-java-cni",
                    "ADD",
                    id,
                    ns,
                    "eth0",
                    host.conf("1.0.0", ""),
                    Map.of("CALICO_JAVA_CNI_SOCKET", socket.toString()));
            assertThat(taken.get(30, TimeUnit.SECONDS)).startsWith("POST /v1/network ");
            assertThat(add.rc()).as(add.toString()).isEqualTo(1);
            assertThat(add.json().get("code").asInt()).as(add.toString()).isEqualTo(CniException.TRY_AGAIN_LATER);
            assertThat(add.err()).contains("not run again here");
        }
        conformance.assertNothingLeft(id, "eth0");
    }

    /** Reads one HTTP request (head and its Content-Length of body) from {@code c}. */
    private static String readRequest(SocketChannel c) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(8192);
        while (true) {
            String text = got.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end >= 0) {
                Matcher m = Pattern.compile("(?i)\ncontent-length: (\\d+)").matcher(text);
                if (m.find() && got.size() >= end + 4 + Integer.parseInt(m.group(1))) {
                    return text;
                }
            }
            b.clear();
            if (c.read(b) < 0) {
                return text;
            }
            got.write(b.array(), 0, b.position());
        }
    }

    @Test
    void aCallWaitsForAnotherCallOfTheSameAttachment() throws Exception {
        Path ns = host.container("lk");
        String id = "lock" + host.sfx;
        String conf = host.conf("1.0.0", "");
        CniEnv env = new CniEnv("ADD", id, "/x", "eth0", Map.of(), List.of());
        Path file = AttachmentLock.file(Cli.Kind.NETWORK, env);
        Files.createDirectories(AttachmentLock.dir());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = ch.lock()) {
            // another process (this test) holds the attachment: the one-shot ADD gives up after its 1 s
            CniHost.Call add =
                    host.call("calico-java-cni", "ADD", id, ns, "eth0", conf, Map.of(ExecPlugin.TIMEOUT_ENV, "1"));
            assertThat(add.rc()).as(add.toString()).isEqualTo(1);
            assertThat(add.json().get("code").asInt()).as(add.toString()).isEqualTo(CniException.TRY_AGAIN_LATER);
            assertThat(add.json().get("msg").asText()).contains("still running");
            conformance.assertNothingLeft(id, "eth0");
        }
        CniHost.Call add = host.call("calico-java-cni", "ADD", id, ns, "eth0", conf);
        assertThat(add.rc()).as("once released: " + add).isZero();
        CniHost.Call del = host.call("calico-java-cni", "DEL", id, ns, "eth0", conf);
        assertThat(del.rc()).as(del.toString()).isZero();
        conformance.assertNothingLeft(id, "eth0");
    }
}
