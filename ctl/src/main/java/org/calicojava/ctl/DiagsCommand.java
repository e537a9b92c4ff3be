package org.calicojava.ctl;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.calicojava.ctl.check.Check;
import org.calicojava.ctl.check.CheckSystem;
import org.calicojava.ctl.check.LocalHost;
import org.calicojava.ctl.diags.Diags;
import org.calicojava.ctl.diags.Secrets;
import org.calicojava.ctl.diags.Sources;
import org.calicojava.model.Keys;
import org.calicojava.model.Names;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code javactl diags [--output FILE] [--name NODE] [--run-dir DIR] [--log-lines N]}: everything a support engineer
 * needs about this node in one .tar.gz (see the README for the list); prints its path. Passwords are masked
 * everywhere ({@link Secrets}); a piece that cannot be had is recorded with the reason.
 */
@Command(
        name = "diags",
        description = "Save diagnostics of this node (versions, status, logs, routes, rules, BGP, "
                + "etcd) into a .tar.gz, passwords masked.")
final class DiagsCommand extends Sub {
    @Option(names = "--output", paramLabel = "FILE", description = "default: /tmp/calico-java-diags-NODE-TIME.tar.gz")
    Path output;

    @Option(names = "--name", paramLabel = "NODE", description = "default: this host's name")
    String name;

    @Option(
            names = "--run-dir",
            paramLabel = "DIR",
            description = "node run's directory (default: /var/run/calico-java/NODE)")
    Path runDir;

    @Option(
            names = "--log-lines",
            paramLabel = "N",
            defaultValue = "2000",
            description = "lines of each log (default: 2000)")
    int logLines;

    @Override
    public void run() {
        String n = Names.check("host", name != null ? name : IpamCommand.localHost());
        if (logLines < 1 || logLines > 1_000_000) {
            throw fail("--log-lines: " + logLines + " (expected: 1..1000000)");
        }
        String time = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        // the node's name (up to 253 characters) cut to 100: the top directory fits ustar's prefix, the file name
        // a file system's 255 bytes
        String top = "calico-java-diags-" + (n.length() > 100 ? n.substring(0, 100) : n) + "-" + time;
        Path out = (output != null ? output : Path.of("/tmp", top + ".tar.gz")).toAbsolutePath();
        if (out.getParent() != null && !Files.isDirectory(out.getParent())) {
            throw fail("--output: no directory " + out.getParent());
        }
        Path dir = NodeRun.runDir(runDir, n);
        LocalHost host = new LocalHost(System.getenv("PATH"));
        Secrets secrets = new Secrets();
        secrets.add(root().etcdConfig().password());
        Diags d = new Diags(host, secrets);
        Keys k = keys();
        // etcd first: the secrets found there are masked in every later piece
        d.add(
                "etcd/node.txt",
                () -> Sources.etcd(
                        store(),
                        List.of(
                                k.host(n) + "/",
                                k.bgpHost(n) + "/",
                                k.felixStatusRoot() + n + "/",
                                k.ipamHostRoot() + n + "/"),
                        secrets));
        d.add(
                "etcd/global.txt",
                () -> Sources.etcd(
                        store(),
                        List.of(k.bgpGlobal(), k.pools(4), k.pools(6), k.felixConfigs(), k.bgpHosts()),
                        secrets));
        d.add("versions.txt", () -> versions(host));
        d.add("node-status.txt", () -> nodeStatus(n, dir));
        d.add("checksystem.txt", () -> checksystem(host));
        d.addCommand("network/routes-ipv4.txt", List.of("ip", "-4", "route", "show", "table", "all"));
        d.addCommand("network/routes-ipv6.txt", List.of("ip", "-6", "route", "show", "table", "all"));
        d.addCommand("network/rules-ipv4.txt", List.of("ip", "-4", "rule", "show"));
        d.addCommand("network/rules-ipv6.txt", List.of("ip", "-6", "rule", "show"));
        d.addCommand("network/links.txt", List.of("ip", "-d", "-s", "link", "show"));
        d.addCommand("network/addresses.txt", List.of("ip", "address", "show"));
        d.addCommand("network/neighbours.txt", List.of("ip", "neighbour", "show"));
        d.addCommand("dataplane/iptables-save.txt", List.of("iptables-save", "-c"));
        d.addCommand("dataplane/ip6tables-save.txt", List.of("ip6tables-save", "-c"));
        d.addCommand("dataplane/ipset-list.txt", List.of("ipset", "list"));
        d.addCommand("dataplane/nft-ruleset.txt", List.of("nft", "list", "ruleset"));
        addBgp(d, dir);
        d.addRunDir(dir, logLines);
        try {
            d.write(out, top);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
        out().println("Diagnostics saved to " + out);
    }

    /** The BGP daemon's own view: the speaker's control socket, or BIRD's through birdc. */
    private static void addBgp(Diags d, Path dir) {
        Path speaker = dir.resolve("bgp-speaker.ctl");
        Path bird = dir.resolve("bird.ctl");
        if (Files.exists(bird) && !Files.exists(speaker)) {
            d.addCommand(
                    "bgp/show-protocols-all.txt", List.of("birdc", "-s", bird.toString(), "show", "protocols", "all"));
            d.addCommand("bgp/show-route.txt", List.of("birdc", "-s", bird.toString(), "show", "route"));
            return;
        }
        // the speaker's "show protocols" table and its JSON (every field it has: its form of BIRD's "all")
        d.add(
                "bgp/show-protocols-all.txt",
                () -> Sources.speaker(speaker, "show protocols") + "\n"
                        + Sources.speaker(speaker, "show protocols json"));
        d.add("bgp/show-route.txt", () -> Sources.speaker(speaker, "show route all"));
    }

    private static String versions(LocalHost host) {
        StringBuilder sb = new StringBuilder();
        String v = Javactl.class.getPackage().getImplementationVersion();
        sb.append("javactl: ").append(v == null ? "0.1.0-SNAPSHOT" : v).append('\n');
        sb.append("java: ")
                .append(System.getProperty("java.vm.name"))
                .append(' ')
                .append(System.getProperty("java.version"))
                .append('\n');
        for (List<String> cmd : List.of(
                List.of("uname", "-a"),
                List.of("iptables", "--version"),
                List.of("ipset", "version"),
                List.of("nft", "--version"),
                List.of("bird", "--version"),
                List.of("etcd", "--version"),
                List.of("ip", "-V"))) {
            var r = host.run(cmd);
            sb.append(String.join(" ", cmd))
                    .append(": ")
                    .append(r.out().trim().replace("\n", " | "))
                    .append('\n');
        }
        return sb.toString();
    }

    /** javactl node status, run in-process with this command's etcd options. */
    private String nodeStatus(String n, Path dir) {
        Javactl r = new Javactl();
        r.etcd = root().etcd;
        StringWriter text = new StringWriter();
        CommandLine cl = new CommandLine(r);
        cl.addSubcommand("node", new NodeCommand());
        PrintWriter pw = new PrintWriter(text, true);
        cl.setOut(pw);
        cl.setErr(pw);
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            pw.println("Error: " + Main.message(ex));
            return 1;
        });
        try {
            int code = cl.execute("node", "status", "--name", n, "--run-dir", dir.toString());
            return text + (code == 0 ? "" : "(exit " + code + ")\n");
        } finally {
            r.close();
        }
    }

    private String checksystem(LocalHost host) {
        StringWriter text = new StringWriter();
        new CheckSystem(host)
                .run(
                        new CheckSystem.Options(
                                "java", false, false, false, () -> Check.pass("etcd", "see etcd/*.txt")),
                        new PrintWriter(text, true));
        return text.toString();
    }
}
