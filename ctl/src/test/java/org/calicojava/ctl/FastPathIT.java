package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * FastPath (one-shot commands without picocli) against picocli's way of running the same command line, on a real
 * etcd: the same output, errors and exit code for every line it takes, and nothing printed for the lines it leaves to
 * picocli.
 */
class FastPathIT {
    private final Cli cli = new Cli();

    @AfterEach
    void close() {
        cli.close();
    }

    record Run(int code, String out, String err) {}

    private List<String> withEtcd(String... args) {
        List<String> a = new ArrayList<>(List.of("--etcd-endpoints", cli.endpoints, "--etcd-prefix", cli.keys.root()));
        a.addAll(List.of(args));
        return a;
    }

    private static Run fast(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = FastPath.run(args.toArray(new String[0]), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    private static Run picocli(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.runPicocli(args.toArray(new String[0]), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    /** Taken by the fast path, with picocli's very answer. */
    private static void same(List<String> args) {
        Run f = fast(args);
        assertThat(f.code()).as("%s taken by the fast path", args).isNotEqualTo(FastPath.NOT_HERE);
        assertThat(f).as(String.join(" ", args)).isEqualTo(picocli(args));
    }

    /** Left to picocli, with nothing printed. */
    private static void notHere(List<String> args) {
        assertThat(fast(args)).as(String.join(" ", args)).isEqualTo(new Run(FastPath.NOT_HERE, "", ""));
    }

    @Test
    void poolShowAndVersionAnswerAsPicocli() {
        same(withEtcd("pool", "show")); // no pools yet
        cli.ok("pool", "add", "10.1.0.0/16", "--nat-outgoing", "--block-size", "28");
        cli.ok("pool", "add", "10.3.0.0/16", "--ipip");
        cli.ok("pool", "add", "10.4.0.0/16", "--ipip", "cross-subnet", "--disabled");
        cli.ok("pool", "add", "10.5.0.0/16", "--vxlan=cross-subnet");
        cli.ok("pool", "add", "fd00:5::/64", "--vxlan");
        // a record of another shape (read through databind) and a bad one (skipped by both)
        cli.etcd.put(
                cli.keys.root() + "/v1/ipam/v4/pool/10.6.0.0-16", "{\"cidr\":\"10.6.0.0/16\",\"block_size\":\"27\"}");
        cli.etcd.put(cli.keys.root() + "/v1/ipam/v4/pool/10.7.0.0-16", "{\"cidr\":\"10.7.0.0/16\",\"block_size\":3}");
        String table = fast(withEtcd("pool", "show")).out();
        assertThat(table)
                .contains("| 10.1.0.0/16 | nat-outgoing ")
                .contains("| 10.4.0.0/16 | ipip:cross-subnet,disabled ")
                .containsPattern("\\| 10\\.6\\.0\\.0/16 \\| +\\| 27 ")
                .contains("| fd00:5::/64 | vxlan ")
                .doesNotContain("10.7.0.0");
        same(withEtcd("pool", "show"));
        same(withEtcd("pool", "show", "--ipv4"));
        same(withEtcd("pool", "show", "--ipv6", "-o", "table"));
        same(withEtcd("pool", "show", "-otable", "--ipv4"));
        same(withEtcd("pool", "show", "--output=table"));
        same(List.of("pool", "--etcd-prefix=" + cli.keys.root(), "show", "--etcd-endpoints", cli.endpoints));
        same(List.of("version"));
        same(List.of("--etcd-endpoints", "http://127.0.0.1:1", "version"));
    }

    @Test
    void nodeShowAnswersAsPicocli() {
        same(withEtcd("node", "show")); // no nodes yet
        cli.ok("node", "add", "--name", "h1", "--ip", "192.0.2.1", "--ip6", "2001:db8::1", "--as", "1.10");
        cli.ok("node", "add", "--name", "h2", "--ip", "192.0.2.2");
        cli.ok("node", "h1", "bgp", "peer", "add", "192.0.2.100", "as", "65000");
        cli.ok("node", "h1", "bgp", "peer", "add", "192.0.2.101", "as", "65001");
        assertThat(fast(withEtcd("node", "show")).out())
                .contains("| h1 ")
                .contains("192.0.2.100 as 65000")
                .contains("| h2 ");
        same(withEtcd("node", "show"));
        same(withEtcd("node", "show", "-o", "table"));
        cli.ok("bgp", "default-node-as", "64513");
        same(List.of("node", "show", "--etcd-endpoints=" + cli.endpoints, "--etcd-prefix", cli.keys.root()));
        notHere(withEtcd("node", "show", "-o", "json"));
        notHere(withEtcd("node", "show", "--ipv4"));
        notHere(withEtcd("node", "h1", "show"));
    }

    @Test
    void errorsAnswerAsPicocli() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        same(List.of("--etcd-endpoints", "http://127.0.0.1:" + port, "pool", "show")); // refused: exit 1
        Path ca = Files.createTempFile("fastpath", ".pem");
        try {
            same(withEtcd("pool", "show", "--etcd-ca-cert", ca.toString())); // TLS file, http endpoint: exit 2
        } finally {
            Files.delete(ca);
        }
        same(List.of("--etcd-endpoints", "ftp://x", "pool", "show")); // exit 2
        same(withEtcd("pool", "show", "--etcd-password", "p")); // a password without a user: exit 2
    }

    @Test
    void everythingElseIsLeftToPicocli() {
        notHere(withEtcd("pool", "show", "-o", "json"));
        notHere(withEtcd("pool", "show", "-o", "yaml"));
        notHere(withEtcd("pool", "show", "--ipv4", "--ipv6"));
        notHere(withEtcd("pool", "show", "--ipv4", "--ipv4"));
        notHere(withEtcd("pool", "show", "-o", "table", "-o", "table"));
        notHere(withEtcd("pool", "show", "extra"));
        notHere(withEtcd("pool", "show", "--help"));
        notHere(withEtcd("pool", "show", "-h"));
        notHere(withEtcd("--ipv4", "pool", "show"));
        notHere(withEtcd("pool", "--ipv4", "show"));
        notHere(withEtcd("pool", "add", "10.9.0.0/16"));
        notHere(withEtcd("pool"));
        notHere(List.of("version", "--help"));
        notHere(List.of("version", "extra"));
        notHere(List.of());
        notHere(List.of("--help"));
        notHere(List.of("pool", "show", "--etcd-endpoints"));
        notHere(List.of("pool", "show", "--etcd-endpoints", "--ipv4"));
        notHere(List.of("--etcd-endpoints", "a", "--etcd-endpoints", "b", "pool", "show"));
        notHere(List.of("--etcd-ca-cert", "a\0b", "pool", "show"));
        notHere(List.of("@args", "pool", "show"));
        notHere(List.of("--etcd-prefix", "@args", "pool", "show"));
    }
}
