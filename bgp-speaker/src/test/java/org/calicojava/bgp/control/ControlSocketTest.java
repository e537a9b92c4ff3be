package org.calicojava.bgp.control;

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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.calicojava.bgp.config.SpeakerConfig;
import org.calicojava.bgp.metrics.Metrics;
import org.calicojava.bgp.rib.Rib;
import org.calicojava.bgp.session.Await;
import org.calicojava.bgp.yaml.SpeakerYamlLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The control socket against local users (issue 22): mode and group of the socket file, SO_PEERCRED checked for
 * clients run as another user with {@code setpriv}, the client limit, idle clients without threads, the line limit.
 * Needs root (to switch users) and perl (the foreign client).
 */
class ControlSocketTest {
    static final String CLIENT =
            "use IO::Socket::UNIX; my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die \"connect: $!\\n\";"
                    + " print $s \"$ARGV[1]\\n\"; shutdown($s, 1); print while <$s>;";
    final AtomicInteger reloads = new AtomicInteger();
    Path dir;
    Rib rib;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("cj-ctl");
        Files.setPosixFilePermissions(
                dir, PosixFilePermissions.fromString("rwxr-xr-x")); // other users may reach the socket's directory
        SpeakerConfig sc = SpeakerYamlLoader.parse("routerId: 127.0.0.1\nasNumber: 65000\n")
                .speaker();
        rib = new Rib(
                sc,
                SpeakerYamlLoader.parse("routerId: 127.0.0.1\nasNumber: 65000\n")
                        .routing(),
                new Metrics());
    }

    @AfterEach
    void tearDown() throws IOException {
        rib.close();
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    ControlServer server(ControlConfig c) throws IOException {
        ControlServer s = new ControlServer(c, rib, () -> "reloaded " + reloads.incrementAndGet());
        s.start();
        return s;
    }

    /** Runs the perl client as uid/gid 65534 with {@code groups} (setpriv), returns what it printed (stdout + stderr). */
    static String asNobody(Path socket, String command, String groups) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid", "65534", "--regid", "65534"));
        if (groups == null) {
            cmd.add("--clear-groups");
        } else {
            cmd.addAll(List.of("--groups", groups));
        }
        cmd.addAll(List.of("perl", "-e", CLIENT, socket.toString(), command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    static String ask(Path socket, String line) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            c.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8))); // no half-close, as javactl
            return new String(Channels.newInputStream(c).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static SocketChannel open(Path socket) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(socket));
        return c;
    }

    static int threads() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/task"))) {
            return (int) s.count();
        }
    }

    @Test
    void socketIs0660RootRootAndANonRootUserCannotReload() throws Exception {
        Path sock = dir.resolve("bgp.ctl");
        try (ControlServer s = server(ControlConfig.at(sock))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)))
                    .isEqualTo("rw-rw----");
            assertThat(Files.getAttribute(sock, "unix:uid")).isEqualTo(0);
            assertThat(Files.getAttribute(sock, "unix:gid")).isEqualTo(0);
            try (var l = Files.list(dir)) {
                assertThat(l.toList()).containsExactly(sock);
            } // the private bind directory is gone

            assertThat(asNobody(sock, "reload", null)).contains("connect: Permission denied"); // the file mode stops it
            Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-rw-rw-")); // an operator's mistake
            assertThat(asNobody(sock, "reload", null))
                    .matches("error: permission denied: uid 65534 \\(pid \\d+\\) is neither root nor in group 0\n");
            assertThat(reloads).hasValue(0);

            assertThat(ask(sock, "reload")).isEqualTo("reloaded 1\n"); // root
        }
        assertThat(sock).doesNotExist();
    }

    @Test
    void membersOfTheConfiguredGroupMayUseIt() throws Exception {
        Path sock = dir.resolve("bgp.ctl");
        try (ControlServer s = server(new ControlConfig(sock, "4242", 16, 4096))) {
            assertThat(Files.getAttribute(sock, "unix:gid")).isEqualTo(4242);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)))
                    .isEqualTo("rw-rw----");
            assertThat(asNobody(sock, "reload", "4242")).isEqualTo("reloaded 1\n"); // a supplementary group
            assertThat(asNobody(sock, "reload", null)).contains("connect: Permission denied");
            Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-rw-rw-"));
            assertThat(asNobody(sock, "reload", "4243")).startsWith("error: permission denied: uid 65534");
            assertThat(reloads).hasValue(1);
        }
    }

    @Test
    void theSeventeenthClientIsRefusedAndALongLineToo() throws Exception {
        Path sock = dir.resolve("bgp.ctl");
        try (ControlServer s = server(ControlConfig.at(sock))) {
            List<SocketChannel> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 16; i++) {
                    idle.add(open(sock));
                }
                Await.until("16 clients admitted", Duration.ofSeconds(10), () -> s.clients == 16);
                assertThat(ask(sock, "reload")).isEqualTo("error: too many clients (at most 16 at once), try again\n");
                idle.remove(0).close();
                Await.until("a place free", Duration.ofSeconds(10), () -> s.clients == 15);
                assertThat(ask(sock, "reload")).isEqualTo("reloaded 1\n");
                idle.remove(0).close();
                assertThat(ask(sock, "x".repeat(5000))).isEqualTo("error: command line longer than 4096 bytes\n");
            } finally {
                for (SocketChannel c : idle) {
                    c.close();
                }
            }
        }
    }

    @Test
    void aThousandIdleClientsShareOneThread() throws Exception {
        Path sock = dir.resolve("bgp.ctl");
        try (ControlServer s = server(new ControlConfig(sock, null, 1001, 4096))) {
            ask(sock, "reload"); // the server's threads exist now
            int before = threads();
            List<SocketChannel> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 1000; i++) {
                    idle.add(open(sock));
                }
                Await.until("1000 clients admitted", Duration.ofSeconds(30), () -> s.clients == 1000);
                int after = threads();
                assertThat(after - before)
                        .as("threads before %d, after %d", before, after)
                        .isLessThan(5);
                assertThat(ask(sock, "reload")).isEqualTo("reloaded 2\n"); // still answering
            } finally {
                for (SocketChannel c : idle) {
                    c.close();
                }
            }
            Await.until("all gone", Duration.ofSeconds(30), () -> s.clients == 0);
        }
    }

    /** Replaces the test's RIB by one that originates {@code n} /32 routes (a large {@code show route all}). */
    private void originate(int n) throws Exception {
        StringBuilder yaml = new StringBuilder("routerId: 127.0.0.1\nasNumber: 65000\noriginate:\n");
        for (int i = 0; i < n; i++) {
            yaml.append("  - \"10.")
                    .append(i / 65536)
                    .append('.')
                    .append(i / 256 % 256)
                    .append('.')
                    .append(i % 256)
                    .append("/32\"\n");
        }
        rib.close();
        rib = new Rib(
                SpeakerYamlLoader.parse(yaml.toString()).speaker(),
                SpeakerYamlLoader.parse(yaml.toString()).routing(),
                new Metrics());
    }

    @Test
    void aClientThatDoesNotReadItsAnswerIsClosedAfterTheWriteStall() throws Exception {
        originate(100_000);
        Path sock = dir.resolve("bgp.ctl");
        ControlServer s = new ControlServer(ControlConfig.at(sock), rib, () -> "reloaded");
        s.writeStallSeconds = 5;
        s.start();
        try (s) {
            long readerMs;
            try (SocketChannel reader = open(sock)) { // a client that reads: the whole answer, not closed
                long r0 = System.nanoTime();
                reader.write(ByteBuffer.wrap("show route all\n".getBytes(StandardCharsets.UTF_8)));
                assertThat(Channels.newInputStream(reader).readAllBytes().length)
                        .as("an answer larger than the socket's buffers")
                        .isGreaterThan(1 << 22);
                readerMs = (System.nanoTime() - r0) / 1_000_000; // what making (and reading) the answer takes here
            }
            try (SocketChannel stalled = open(sock)) {
                stalled.write(ByteBuffer.wrap("show route all\n".getBytes(StandardCharsets.UTF_8)));
                Await.until("the stalled client admitted", Duration.ofSeconds(10), () -> s.clients == 1);
                long t0 = System.nanoTime();
                // it never reads: within a second after the stall time its place is free again (it took up to twice
                // the stall time when the check ran once per stall time)
                Await.until("the stalled client closed", Duration.ofSeconds(20), () -> s.clients == 0);
                assertThat((System.nanoTime() - t0) / 1_000_000)
                        .as("ms from the command to the close")
                        // the answer's making, then 5 s, then at most 1 s (before: the making, then 10 s or more)
                        .isBetween(4_500L, 8_000L + readerMs);
            }
            assertThat(ask(sock, "reload")).isEqualTo("reloaded\n");
        }
    }

    /**
     * A client that shuts its side after the command (socat, {@code nc -N}) gets an answer far larger than the socket's
     * buffer whole: Netty 4.2.18 took such a connection out of epoll and cut the answer at about 250 KB.
     */
    @Test
    void aClientThatHalfClosesGetsTheWholeAnswer() throws Exception {
        originate(50_000);
        Path sock = dir.resolve("bgp.ctl");
        try (ControlServer s = server(ControlConfig.at(sock))) {
            int whole = ask(sock, "show route all").length();
            assertThat(whole).isGreaterThan(1 << 19);
            for (int i = 0; i < 10; i++) {
                try (SocketChannel c = open(sock)) {
                    // with and without the newline: EOF ends the line too
                    c.write(ByteBuffer.wrap(
                            (i % 2 == 0 ? "show route all\n" : "show route all").getBytes(StandardCharsets.UTF_8)));
                    c.shutdownOutput(); // as socat or nc -N at the end of their input
                    assertThat(new String(Channels.newInputStream(c).readAllBytes(), StandardCharsets.UTF_8).length())
                            .isEqualTo(whole);
                }
            }
            for (int i = 0; i < 5; i++) { // the client shuts its side while the answer is being written
                try (SocketChannel c = open(sock)) {
                    c.write(ByteBuffer.wrap("show route all\n".getBytes(StandardCharsets.UTF_8)));
                    ByteBuffer first = ByteBuffer.allocate(100_000);
                    while (first.hasRemaining() && c.read(first) >= 0) {
                        // the first 100 KB
                    }
                    c.shutdownOutput();
                    byte[] rest = Channels.newInputStream(c).readAllBytes();
                    assertThat(first.position() + rest.length).isEqualTo(whole);
                }
            }
            // the real tool: OpenBSD netcat shuts its side at the end of its input (-N); scripts/setup installs it
            org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/nc")), "no nc");
            Process nc = new ProcessBuilder("nc", "-N", "-U", sock.toString()).start();
            nc.getOutputStream().write("show route all\n".getBytes(StandardCharsets.UTF_8));
            nc.getOutputStream().close();
            byte[] got = nc.getInputStream().readAllBytes();
            assertThat(nc.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(got, StandardCharsets.UTF_8).length()).isEqualTo(whole);
        }
    }
}
