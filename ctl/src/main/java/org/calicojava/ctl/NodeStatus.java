package org.calicojava.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.calicojava.common.ControlSocket;
import org.calicojava.model.Json;
import org.calicojava.model.Names;
import org.calicojava.process.CommandRunner;
import org.calicojava.process.ProcessRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code javactl node status} (also {@code javactl status}): whether the node runs, its processes, and calicoctl's BGP
 * table (Peer address | Peer type | State | Since | BFD | Info) for IPv4 and IPv6, read from the speaker's control socket
 * ({@code show protocols json}, whose rows carry the BFD state) or from BIRD's ({@code birdc show protocols} and
 * {@code birdc show bfd sessions}).
 */
@Command(name = "status", description = "Is the node running; its processes; its BGP sessions.")
final class NodeStatus extends Sub {
    /** The longest the BGP daemon may take to answer (a hung one must not hang the command). */
    static final Duration SPEAKER_TIMEOUT = Duration.ofSeconds(10);

    private static final int MAX_ANSWER = 32 * 1024 * 1024;

    @Option(names = "--name", paramLabel = "NAME", description = "default: this host's name")
    String name;

    @Option(names = "--run-dir", paramLabel = "DIR")
    Path runDir;

    @Mixin
    Format format;

    /** One BGP session as the table shows it; {@code bfd} is its BFD session's state, "off" without one. */
    record Session(String address, String type, String state, String since, String info, String bfd) {
        Session(String address, String type, String state, String since, String info) {
            this(address, type, state, since, info, "off");
        }

        Session withBfd(String b) {
            return new Session(address, type, state, since, info, b);
        }
    }

    @Override
    public void run() {
        String n = Names.check("host", name != null ? name : IpamCommand.localHost());
        Path dir = NodeRun.runDir(runDir, n);
        JsonNode status = readStatus(dir);
        boolean running = status != null
                && "running".equals(status.path("state").asText())
                && ProcCmdline.of(status.path("pid").asLong())
                        .map(c -> c.isNodeRun(n))
                        .orElse(false);
        out().println(running ? "calico-java is running." : "calico-java is not running.");
        if (status != null) {
            Table procs = new Table("Process", "State", "PID", "Restarts", "Since");
            for (JsonNode p : status.path("processes")) {
                procs.row(
                        p.path("name").asText(),
                        running ? p.path("state").asText() : "stopped",
                        p.path("pid").asLong() == 0 ? "" : p.path("pid").asText(),
                        p.path("restarts").asText(),
                        p.path("since").asText());
            }
            procs.print(out(), format.value());
        }
        List<Session> sessions;
        Path speaker = dir.resolve("bgp-speaker.ctl");
        Path bird = dir.resolve("bird.ctl");
        if (Files.exists(speaker)) {
            sessions = fromSpeaker(speaker);
        } else if (Files.exists(bird)) {
            sessions = fromBird(bird);
        } else {
            out().println("No BGP daemon control socket in " + dir + ".");
            return;
        }
        classify(n, sessions, 4);
        classify(n, sessions, 6);
    }

    private static JsonNode readStatus(Path dir) {
        try {
            return Json.MAPPER.readTree(Files.readString(dir.resolve("status.json")));
        } catch (IOException e) {
            return null;
        }
    }

    private void classify(String node, List<Session> sessions, int version) {
        Set<String> mesh = new HashSet<>();
        for (var e : NodeCommand.nodes(this).entrySet()) {
            String a = e.getValue().get("ip_addr_v" + version);
            if (a != null && !e.getKey().equals(node)) {
                mesh.add(a);
            }
        }
        Set<String> global = new HashSet<>();
        store().list(keys().bgpGlobalPeers(version))
                .kvs()
                .forEach(kv -> global.add(org.calicojava.model.Keys.lastSegment(kv.key())));
        Set<String> own = new HashSet<>();
        store().list(keys().bgpHostPeers(node, version))
                .kvs()
                .forEach(kv -> own.add(org.calicojava.model.Keys.lastSegment(kv.key())));
        Table t = new Table("Peer address", "Peer type", "State", "Since", "BFD", "Info");
        for (Session s : sessions) {
            boolean v4 = !s.address().contains(":");
            if (v4 != (version == 4)) {
                continue;
            }
            String type = own.contains(s.address())
                    ? "node specific"
                    : global.contains(s.address())
                            ? "global"
                            : mesh.contains(s.address()) ? "node-to-node mesh" : s.type();
            t.row(s.address(), type, s.state(), s.since(), s.bfd(), s.info());
        }
        out().println("IPv" + version + " BGP status");
        if (t.isEmpty()) {
            out().println("No IPv" + version + " peers found.");
        } else {
            t.print(out(), format.value());
        }
    }

    /** Asks the speaker: one line "show protocols json", one JSON array back, within {@link #SPEAKER_TIMEOUT}. */
    static List<Session> fromSpeaker(Path socket) {
        return fromSpeaker(socket, SPEAKER_TIMEOUT);
    }

    static List<Session> fromSpeaker(Path socket, Duration timeout) {
        try {
            String text = ControlSocket.ask(socket, "show protocols json", timeout, MAX_ANSWER);
            List<Session> out = new ArrayList<>();
            for (JsonNode p : Json.MAPPER.readTree(text)) {
                String err = p.path("lastError").asText("");
                out.add(new Session(
                        p.path("address").asText(),
                        p.path("type").asText(""),
                        p.path("state").asText(),
                        p.path("since").asText(""),
                        "Established".equals(p.path("state").asText()) || err.isEmpty()
                                ? p.path("info").asText("")
                                : err,
                        p.path("bfd").asText("off")));
            }
            return out;
        } catch (IOException e) {
            throw fail("cannot read the BGP speaker's control socket: " + e.getMessage());
        }
    }

    /** Asks BIRD through birdc: its protocols and its BFD sessions, each within {@link #SPEAKER_TIMEOUT}. */
    static List<Session> fromBird(Path socket) {
        String text = birdc(socket, "show", "protocols");
        java.util.Map<String, String> states = parseBirdBfd(birdc(socket, "show", "bfd", "sessions"));
        return parseBird(text).stream()
                .map(s -> s.withBfd(states.getOrDefault(s.address(), "off")))
                .toList();
    }

    private static String birdc(Path socket, String... command) {
        List<String> argv = new ArrayList<>(List.of("birdc", "-s", socket.toString()));
        argv.addAll(List.of(command));
        CommandRunner.Result r = ProcessRunner.local().run(argv, null, SPEAKER_TIMEOUT);
        if (r.exit() == CommandRunner.Result.TIMED_OUT || r.exit() == CommandRunner.Result.NOT_STARTED) {
            throw fail("cannot run birdc " + String.join(" ", command) + ": " + r.firstError());
        }
        return r.out() + r.err(); // birdc reports a missing protocol or BFD on its output, read as no rows
    }

    /** Parses {@code birdc show bfd sessions}: IP address, Interface, State, Since, Interval, Timeout. */
    static java.util.Map<String, String> parseBirdBfd(String text) {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3
                    && f[0].matches("[0-9a-fA-F:.]+")
                    && (f[0].contains(".") || f[0].contains(":"))
                    && f[2].matches("Up|Down|Init|AdminDown")) {
                out.put(f[0], f[2]);
            }
        }
        return out;
    }

    /** Parses {@code birdc show protocols}: BGP protocols named Mesh_/Global_/Node_ + the address with '_' for '.' or ':'. */
    static List<Session> parseBird(String text) {
        List<Session> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+", 6);
            if (f.length < 5 || !f[1].equals("BGP") || !f[0].matches("(Mesh|Global|Node)_.*")) {
                continue;
            }
            String raw = f[0].substring(f[0].indexOf('_') + 1);
            String addr = raw.matches("[0-9]+(_[0-9]+){3}") ? raw.replace('_', '.') : raw.replace('_', ':');
            out.add(new Session(
                    addr,
                    f[0].startsWith("Mesh")
                            ? "node-to-node mesh"
                            : f[0].startsWith("Global") ? "global" : "node specific",
                    f[3],
                    f[4],
                    f.length > 5 ? f[5] : ""));
        }
        return out;
    }
}
