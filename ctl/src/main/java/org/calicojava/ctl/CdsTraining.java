package org.calicojava.ctl;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;
import org.calicojava.model.BgpPeer;
import org.calicojava.model.IpPool;
import org.calicojava.model.Json;
import org.calicojava.model.NodeMesh;
import org.calicojava.model.ProfileRules;
import org.calicojava.model.WorkloadEndpoint;

/**
 * The training run that records javactl's class-data-sharing archive ({@code bin/javactl} runs it once, with
 * {@code -XX:ArchiveClassesAtExit}, when the archive is missing or older than the jars). Before, the archive held the
 * classes of whatever command happened to run first (after {@code javactl version}, every etcd command loaded Jackson,
 * the store and its records from the jars); this run loads the classes of every command: each command's picocli
 * model and parse, the etcd client up to a refused connection, Jackson with every record javactl reads, the table,
 * JSON and YAML output. It talks to nothing but a closed port of 127.0.0.1 and writes nothing.
 */
final class CdsTraining {
    /** The hidden first argument that selects this run. */
    static final String FLAG = "--cds-training";
    /** The hidden first argument of the training run for FastPath's own archive (its classes only: quicker to map). */
    static final String FAST_FLAG = "--cds-training-fast";

    private CdsTraining() {}

    static int run() {
        PrintWriter sink = new PrintWriter(Writer.nullWriter());
        fastPath(sink);
        String dead = "http://127.0.0.1:1"; // refused at once: the store's request and error path, no network
        List<List<String>> lines = List.of(
                List.of("--help"),
                List.of("version"),
                List.of("pool", "show"),
                List.of("pool", "show", "-o", "yaml"),
                List.of("pool", "add", "10.0.0.0/16"),
                List.of("profile", "show"),
                List.of("profile", "p1", "rule", "show"),
                List.of("node", "show"),
                List.of("bgp", "peer", "show"),
                List.of("ipam", "show"),
                List.of("endpoint", "show"),
                List.of("config", "felix", "LogSeverityScreen"),
                List.of("get", "ippool", "-o", "yaml"),
                List.of("get", "policy"),
                List.of("policy", "show"),
                List.of("apply", "-f", "/nonexistent/cds-training.yaml"));
        for (List<String> l : lines) {
            String[] args = new String[l.size() + 2];
            args[0] = "--etcd-endpoints";
            args[1] = dead;
            for (int i = 0; i < l.size(); i++) {
                args[i + 2] = l.get(i);
            }
            Main.run(args, sink, sink);
        }
        Json.read(
                "{\"cidr\":\"10.0.0.0/16\",\"ipip\":false,\"masquerade\":true,\"disabled\":false,\"block_size\":26}",
                IpPool.class);
        Json.read("{\"ip\":\"192.0.2.1\",\"as_num\":\"64512\"}", BgpPeer.class);
        Json.read("{\"enabled\":true}", NodeMesh.class);
        Json.read(
                "{\"inbound_rules\":[{\"action\":\"allow\",\"protocol\":\"tcp\",\"dst_ports\":[80]}],"
                        + "\"outbound_rules\":[{\"action\":\"allow\"}]}",
                ProfileRules.class);
        WorkloadEndpoint.read("{\"state\":\"active\",\"name\":\"cali0123456789a\",\"mac\":\"ee:ee:ee:ee:ee:ee\","
                + "\"profile_ids\":[\"p\"],\"ipv4_nets\":[\"10.0.0.1/32\"],\"ipv6_nets\":[],\"labels\":{}}");
        Table t = new Table("A", "B");
        t.row("1", "2");
        for (String format : List.of("table", "json", "yaml")) {
            t.print(sink, format);
        }
        sink.flush();
        return 0;
    }

    static int runFast() {
        PrintWriter sink = new PrintWriter(Writer.nullWriter());
        fastPath(sink);
        sink.flush();
        return 0;
    }

    /**
     * {@link FastPath}'s commands through to their output: {@code pool show} against a canned etcd gateway answer
     * served on a loopback port of this process (the socket's read path, the answer's and the pool's parsing, the
     * table), so that the archive holds what a one-shot {@code pool show} loads, not only its error path.
     */
    private static void fastPath(PrintWriter sink) {
        String pool = java.util.Base64.getEncoder()
                .encodeToString(("{\"cidr\":\"10.0.0.0/16\",\"ipip\":false,\"ipip_mode\":\"never\","
                                + "\"vxlan_mode\":\"never\",\"masquerade\":false,\"disabled\":false,\"block_size\":26}")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        // one answer for every listing: a pool under its key (pool show reads it through KeyPath) and a node's address
        // (node show's listing); each command skips the other's key
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        java.nio.charset.Charset utf8 = java.nio.charset.StandardCharsets.UTF_8;
        String poolKey = b64.encodeToString("/calico/v1/ipam/v4/pool/10.0.0.0-16".getBytes(utf8));
        String nodeKey = b64.encodeToString("/calico/bgp/v1/host/n1/ip_addr_v4".getBytes(utf8));
        String nodeIp = b64.encodeToString("192.0.2.1".getBytes(utf8));
        String body = "{\"header\":{\"revision\":\"2\"},\"kvs\":[{\"key\":\"" + poolKey + "\",\"value\":\"" + pool
                + "\",\"mod_revision\":\"2\",\"create_revision\":\"2\"},{\"key\":\"" + nodeKey + "\",\"value\":\""
                + nodeIp + "\",\"mod_revision\":\"2\",\"create_revision\":\"2\"}],\"count\":\"2\"}";
        byte[] answer = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                        + "\r\n\r\n" + body)
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        try (java.net.ServerSocket server =
                new java.net.ServerSocket(0, 4, java.net.InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> serve(server, answer), "cds-training-gateway");
            t.setDaemon(true);
            t.start();
            String endpoint = "http://127.0.0.1:" + server.getLocalPort();
            Main.run(new String[] {"--etcd-endpoints", endpoint, "pool", "show"}, sink, sink);
            Main.run(new String[] {"--etcd-endpoints", endpoint, "node", "show"}, sink, sink);
            Main.run(new String[] {"version"}, sink, sink);
        } catch (java.io.IOException e) {
            // no loopback port: the archive lacks these classes, no more
        }
    }

    /** Answers every request of each connection with {@code answer} (a request has a body of Content-Length). */
    private static void serve(java.net.ServerSocket server, byte[] answer) {
        while (!server.isClosed()) {
            try (java.net.Socket s = server.accept()) {
                java.io.InputStream in = new java.io.BufferedInputStream(s.getInputStream());
                while (true) {
                    int length = 0;
                    StringBuilder line = new StringBuilder();
                    for (int c = in.read(); ; c = in.read()) {
                        if (c < 0) {
                            return;
                        }
                        if (c != '\n') {
                            line.append((char) c);
                            continue;
                        }
                        String h = line.toString().trim().toLowerCase(java.util.Locale.ROOT);
                        line.setLength(0);
                        if (h.isEmpty()) {
                            break;
                        }
                        if (h.startsWith("content-length:")) {
                            length = Integer.parseInt(h.substring(15).trim());
                        }
                    }
                    in.readNBytes(length);
                    s.getOutputStream().write(answer);
                    s.getOutputStream().flush();
                }
            } catch (java.io.IOException | RuntimeException e) {
                return; // closed: training over
            }
        }
    }
}
