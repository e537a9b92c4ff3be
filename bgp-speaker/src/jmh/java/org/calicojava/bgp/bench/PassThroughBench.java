package org.calicojava.bgp.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.calicojava.bgp.codec.AsPath;
import org.calicojava.bgp.codec.CodecOptions;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.MessageEncoder;
import org.calicojava.bgp.codec.Nlri;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Update;
import org.calicojava.bgp.codec.UpdatePacker;

/**
 * Pass-through benchmark: a feeder peer sends N IPv4 /32 prefixes in packed UPDATEs (one attribute set, NEXT_HOP
 * 203.0.113.2) to the speaker under test (kernel sync off), which re-advertises them over eBGP to a sink peer. Measured:
 * time from the first UPDATE sent to the last prefix received, and the speaker's peak RSS (VmHWM). Each speaker is
 * started fresh per run. Also the speaker's CPU seconds (user + system, all threads) over the same interval: less
 * sensitive to a loaded machine than the wall time. Speakers: "java" (bin/bgp-speaker), "bird" (bird -f), "direct" (feeder straight into the
 * sink: the harness floor).
 *
 * <p>Usage: {@code PassThroughBench HOME N[,N...] speaker[,speaker...]}
 */
public final class PassThroughBench {
    record Result(String speaker, int n, double seconds, long rssKb, double cpu) {}

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        List<Result> results = new ArrayList<>();
        for (String ns : args[1].split(",")) {
            int n = Integer.parseInt(ns);
            byte[] feed = encode(n);
            for (String sp : args[2].split(",")) {
                results.add(run(home, sp, n, feed));
            }
        }
        System.out.println();
        System.out.printf("%-8s %10s %10s %12s %8s%n", "speaker", "prefixes", "seconds", "peak RSS MB", "CPU s");
        for (Result r : results) {
            System.out.printf("%-8s %10d %10.3f %12.1f %8.2f%n", r.speaker, r.n, r.seconds, r.rssKb / 1024.0, r.cpu);
        }
        Result bird = null; // each java run against the bird run of the same round
        for (Result r : results) {
            if (r.speaker.equals("bird")) {
                bird = r;
            }
            if (!r.speaker.equals("java") || bird == null || bird.n != r.n) {
                continue;
            }
            System.out.printf(
                    "N=%d: java/bird time %.2fx, RSS %.2fx, CPU %.2fx%n",
                    r.n, r.seconds / bird.seconds, (double) r.rssKb / bird.rssKb, r.cpu / bird.cpu);
        }
    }

    /** N /32s from 20.0.0.0 in UPDATEs of at most 4096 bytes, one attribute set. */
    static byte[] encode(int n) {
        PathAttributes a = PathAttributes.builder()
                .origin(0)
                .asPath(AsPath.sequence(65002))
                .nextHop("203.0.113.2")
                .build();
        Nlri.Builder b = Nlri.builder(Family.IPV4_UNICAST, false);
        for (int i = 0; i < n; i++) {
            b.addV4(0x14000000 + i, 32);
        }
        ByteBuf buf = Unpooled.buffer(n * 6);
        for (Update u : UpdatePacker.announce(a, b.build(), null, CodecOptions.AS4)) {
            MessageEncoder.encode(u, CodecOptions.AS4, buf);
        }
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        buf.release();
        return out;
    }

    static Result run(Path home, String speaker, int n, byte[] feed) throws Exception {
        // 127.0.50.0-127.0.59.255 is this benchmark's address range
        int net = 50 + ThreadLocalRandom.current().nextInt(10),
                host = 1 + 3 * ThreadLocalRandom.current().nextInt(80);
        int port = 30000 + ThreadLocalRandom.current().nextInt(20000);
        String us = "127.0." + net + "." + host,
                feeder = "127.0." + net + "." + (host + 1),
                sink = "127.0." + net + "." + (host + 2);
        Path dir = Files.createTempDirectory("cj-bench");
        Process p = null;
        try {
            if (speaker.equals("java")) {
                Files.writeString(dir.resolve("speaker.yaml"), """
                        routerId: %s
                        asNumber: 65001
                        listen: {address: %s, port: %d}
                        holdTime: 240
                        neighbors:
                          - {address: %s, asNumber: 65002, passive: true, import: [all], export: [none]}
                          - {address: %s, asNumber: 65003, passive: true, import: [none], export: [all]}
                        policies: {all: [{action: accept}], none: [{action: reject}]}
                        kernel: {enabled: false}
                        """.formatted(us, us, port, feeder, sink));
                ProcessBuilder pb = new ProcessBuilder(
                                home.resolve("bin/bgp-speaker").toString(),
                                "--config",
                                dir.resolve("speaker.yaml").toString())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("speaker.log").toFile());
                pb.environment().put("BGP_SPEAKER_JAVA_OPTS", System.getenv().getOrDefault("BENCH_JAVA_OPTS", ""));
                p = pb.start();
            } else if (speaker.equals("bird")) {
                Files.writeString(dir.resolve("bird.conf"), """
                        router id %s;
                        protocol device {}
                        template bgp peers { local %s port %d as 65001; multihop; passive; }
                        protocol bgp feeder from peers { neighbor %s as 65002; ipv4 { import all; export none; }; }
                        protocol bgp sink from peers { neighbor %s as 65003; ipv4 { import none; export all; }; }
                        """.formatted(us, us, port, feeder, sink));
                p = new ProcessBuilder(
                                "/usr/sbin/bird",
                                "-f",
                                "-c",
                                dir.resolve("bird.conf").toString(),
                                "-s",
                                dir.resolve("bird.ctl").toString())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("bird.log").toFile())
                        .start();
            }
            String target = speaker.equals("direct") ? null : us;
            try (MiniPeer snk = target == null ? null : new MiniPeer(sink, us, port, 65003);
                    MiniPeer fd = target == null ? null : new MiniPeer(feeder, us, port, 65002)) {
                long t0, t1;
                double cpu0 = 0;
                if (target == null) {
                    t0 = System.nanoTime();
                    t1 = direct(feed, n, feeder, sink, port);
                } else {
                    if (!snk.established.await(60, TimeUnit.SECONDS) || !fd.established.await(60, TimeUnit.SECONDS)) {
                        throw new IllegalStateException(speaker + ": sessions not up: " + snk.error + " / " + fd.error);
                    }
                    Thread.sleep(500); // let the initial End-of-RIB exchange settle
                    snk.target = n;
                    cpu0 = cpu(p.pid());
                    t0 = System.nanoTime();
                    fd.send(feed);
                    if (!snk.reached.await(300, TimeUnit.SECONDS)) {
                        throw new IllegalStateException(speaker + ": sink got " + snk.prefixes.get() + " of " + n);
                    }
                    t1 = snk.lastPrefixNanos;
                }
                long rss = p == null ? 0 : rss(p.pid());
                double cpu = p == null ? 0 : cpu(p.pid()) - cpu0; // includes the little work after the last prefix left
                if (p != null && System.getenv("BENCH_THREADS") != null) {
                    threads(p.pid());
                }
                Result r = new Result(speaker, n, (t1 - t0) / 1e9, rss, cpu);
                System.out.printf(
                        "%s N=%d: %.3f s, peak RSS %.1f MB, CPU %.2f s (%s)%n",
                        speaker, n, r.seconds, rss / 1024.0, cpu, load());
                return r;
            }
        } finally {
            if (p != null) {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
                String keep = System.getenv("BENCH_KEEP_LOG"); // e.g. to read -XX:+PrintNMTStatistics
                if (keep != null)
                    for (String log : List.of("speaker.log", "bird.log")) {
                        if (Files.exists(dir.resolve(log))) {
                            Files.copy(
                                    dir.resolve(log),
                                    Path.of(keep + "." + speaker + "." + n),
                                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
            }
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder())
                        .forEach(x -> x.toFile().delete());
            }
        }
    }

    /** The harness floor: the feeder's bytes straight into a sink over one loopback TCP connection. */
    static long direct(byte[] feed, int n, String from, String to, int port) throws IOException, InterruptedException {
        try (java.net.ServerSocket ss = new java.net.ServerSocket()) {
            ss.setReceiveBufferSize(4 << 20);
            ss.bind(new java.net.InetSocketAddress(to, port));
            Thread sender = new Thread(() -> {
                try (java.net.Socket s = new java.net.Socket(to, port)) {
                    s.getOutputStream().write(feed);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            sender.start();
            try (java.net.Socket s = ss.accept();
                    var in =
                            new java.io.DataInputStream(new java.io.BufferedInputStream(s.getInputStream(), 1 << 16))) {
                byte[] buf = new byte[65536];
                long count = 0;
                while (count < n) {
                    in.readFully(buf, 0, 19);
                    int len = (buf[16] & 0xff) << 8 | buf[17] & 0xff;
                    in.readFully(buf, 19, len - 19);
                    int i = 19, w = (buf[i] & 0xff) << 8 | buf[i + 1] & 0xff;
                    i += 2 + w;
                    int a = (buf[i] & 0xff) << 8 | buf[i + 1] & 0xff;
                    i += 2 + a;
                    while (i < len) {
                        i += 1 + (((buf[i] & 0xff) + 7) >>> 3);
                        count++;
                    }
                }
                long t = System.nanoTime();
                sender.join();
                return t;
            }
        }
    }

    /** User + system CPU seconds of the process so far (all its threads). */
    static double cpu(long pid) throws IOException {
        String st = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in clock ticks (USER_HZ 100)
    }

    /** CPU seconds per thread of the process (where the time went: rib, event loops, GC, compiler). */
    static void threads(long pid) throws IOException {
        try (var ts = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : ts.toList()) {
                String st = Files.readString(t.resolve("stat"));
                String name = st.substring(st.indexOf('(') + 1, st.lastIndexOf(')'));
                String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                if (ticks >= 2) {
                    System.out.printf("  %-20s %.2f s%n", name, ticks / 100.0);
                }
            }
        }
    }

    static String load() throws IOException {
        return "load " + Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }

    static long rss(long pid) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("VmHWM:")) {
                return Long.parseLong(l.replaceAll("\\D", ""));
            }
        }
        return 0;
    }
}
