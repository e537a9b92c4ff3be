package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/javactl node run / status / stop as real processes. The daemons are stand-ins here (a script in a fake
 * CALICO_HOME that records its arguments and sleeps): this test is about registration, supervision, the run
 * directory and stopping by PID; the real daemons run under node run in the fabric end-to-end tests.
 */
class NodeRunIT {
    private final Cli cli = new Cli();
    private Process node;

    @AfterEach
    void cleanUp() {
        if (node != null && node.isAlive()) {
            node.destroyForcibly();
        }
        cli.close();
    }

    private ProcessBuilder javactl(Path home, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of("..", "bin", "javactl").toAbsolutePath().normalize().toString(),
                "--etcd-endpoints",
                cli.endpoints,
                "--etcd-prefix",
                cli.keys.root()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("CALICO_HOME", home.toString());
        pb.environment().put("JAVACTL_NO_CDS", "1");
        return pb;
    }

    private static String run(ProcessBuilder pb) throws IOException, InterruptedException {
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    @Test
    void stopRefusesAStalePidFileThatNamesAnotherProgram(@TempDir Path tmp) throws Exception {
        Path runDir = tmp.resolve("run");
        Files.createDirectories(runDir);
        Process sleep = new ProcessBuilder("sleep", "300").start();
        try {
            Files.writeString(runDir.resolve("node.pid"), sleep.pid() + "\n");
            ProcessBuilder stop = javactl(tmp, "node", "stop", "--name", "n1", "--run-dir", runDir.toString());
            Process p = stop.redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(1);
            assertThat(out.trim())
                    .isEqualTo("Error: node n1 is not running: " + runDir.resolve("node.pid") + " is stale, pid "
                            + sleep.pid() + " is another program (sleep 300); not signalled");
            Thread.sleep(300);
            assertThat(sleep.isAlive()).as("the unrelated process survives").isTrue();
        } finally {
            sleep.destroyForcibly();
        }
    }

    @Test
    void runSupervisesStatusReportsStopStops(@TempDir Path tmp) throws Exception {
        Path home = tmp.resolve("home");
        Files.createDirectories(home.resolve("bin"));
        Path felix = home.resolve("bin/felix-agent");
        Files.writeString(
                felix,
                "#!/bin/sh\necho \"$@ $CALICO_ETCD_PREFIX $ETCD_ENDPOINTS\" > " + tmp.resolve("felix.args")
                        + "\nexec sleep 300\n");
        Files.setPosixFilePermissions(felix, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path runDir = tmp.resolve("run");
        node = javactl(
                        home,
                        "node",
                        "run",
                        "--name",
                        "n1",
                        "--ip",
                        "192.0.2.11",
                        "--as",
                        "65011",
                        "--backend",
                        "none",
                        "--run-dir",
                        runDir.toString())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("node.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline
                && !(Files.exists(tmp.resolve("felix.args"))
                        && Files.exists(runDir.resolve("felix-agent.pid"))
                        && Files.exists(runDir.resolve("status.json")))) {
            Thread.sleep(100);
        }
        // etcd settings reach a child through its environment, not its command line
        assertThat(Files.readString(tmp.resolve("felix.args")).trim())
                .isEqualTo("--hostname n1 " + cli.keys.root() + " " + cli.endpoints);
        assertThat(cli.get(cli.keys.bgpHostIp("n1", 4))).isEqualTo("192.0.2.11");
        assertThat(cli.get(cli.keys.bgpHostAsNum("n1"))).isEqualTo("65011");
        long felixPid = Long.parseLong(
                Files.readString(runDir.resolve("felix-agent.pid")).trim());
        assertThat(Files.readString(runDir.resolve("node.pid")).trim()).isEqualTo(Long.toString(node.pid()));

        String status = "";
        long statusDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < statusDeadline && !status.contains("| felix-agent | running |")) {
            status = run(javactl(home, "node", "status", "--name", "n1", "--run-dir", runDir.toString()));
        }
        assertThat(status).startsWith("calico-java is running.").contains("| felix-agent | running | " + felixPid);

        String again = run(javactl(
                home,
                "node",
                "run",
                "--name",
                "n1",
                "--ip",
                "192.0.2.11",
                "--backend",
                "none",
                "--run-dir",
                runDir.toString()));
        assertThat(again).contains("Error: node n1 is already running (pid " + node.pid());

        // a child that dies is restarted
        ProcessHandle.of(felixPid).orElseThrow().destroyForcibly();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline
                && Files.readString(runDir.resolve("felix-agent.pid")).trim().equals(Long.toString(felixPid))) {
            Thread.sleep(100);
        }
        long newPid = Long.parseLong(
                Files.readString(runDir.resolve("felix-agent.pid")).trim());
        assertThat(newPid).isNotEqualTo(felixPid);
        assertThat(Files.readString(tmp.resolve("node.log")))
                .contains("felix-agent exited with code 137; restarting in 1000 ms");

        assertThat(run(javactl(home, "node", "stop", "--name", "n1", "--run-dir", runDir.toString())))
                .contains("Stopped node n1");
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ProcessHandle.of(newPid).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
        assertThat(runDir.resolve("node.pid")).doesNotExist();
        assertThat(run(javactl(home, "node", "status", "--name", "n1", "--run-dir", runDir.toString())))
                .startsWith("calico-java is not running.");
    }

    @Test
    void noFelixRunsConfdAndTheSpeakerButNoFelix(@TempDir Path tmp) throws Exception {
        Path home = tmp.resolve("home");
        Files.createDirectories(home.resolve("bin"));
        for (String prog : List.of("felix-agent", "confd-renderer")) {
            Path p = home.resolve("bin/" + prog);
            Files.writeString(p, "#!/bin/sh\necho \"$@\" > " + tmp.resolve(prog + ".args") + "\nexec sleep 300\n");
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path runDir = tmp.resolve("run");
        node = javactl(
                        home,
                        "node",
                        "run",
                        "--name",
                        "n2",
                        "--ip",
                        "192.0.2.12",
                        "--no-felix",
                        "--run-dir",
                        runDir.toString())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("node.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline
                && !(Files.exists(tmp.resolve("confd-renderer.args"))
                        && Files.exists(runDir.resolve("bgp-speaker.pid")))) {
            Thread.sleep(100);
        }
        assertThat(Files.readString(tmp.resolve("confd-renderer.args"))).startsWith("--node n2 --confdir ");
        assertThat(runDir.resolve("bgp-speaker.pid")).exists();
        assertThat(Files.readString(tmp.resolve("node.log"))).contains("(java backend, no felix)");
        Thread.sleep(1000); // felix would have been started first
        assertThat(tmp.resolve("felix-agent.args")).doesNotExist();
        assertThat(runDir.resolve("felix-agent.pid")).doesNotExist();
        assertThat(run(javactl(home, "node", "stop", "--name", "n2", "--run-dir", runDir.toString())))
                .contains("Stopped node n2");
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void cniStartsTheCniServerWithTheNodesNameAndEtcd(@TempDir Path tmp) throws Exception {
        assertThat(childArgs(tmp, "--cni", "calico-java-cni", "cni"))
                .isEqualTo("serve --socket " + NodeRun.CNI_SOCKET + " n2 " + cli.endpoints);
    }

    @Test
    void ctlServerStartsJavactlServeWithNoEtcdOfItsOwn(@TempDir Path tmp) throws Exception {
        // each call brings the caller's etcd settings: the server has none (and no HOSTNAME) of its own
        assertThat(childArgs(tmp, "--ctl-server", "javactl", "ctl"))
                .isEqualTo("serve --socket " + CtlServer.DEFAULT_SOCKET);
    }

    /**
     * Runs {@code node run --backend none FLAG} with stand-in daemons that record their arguments, HOSTNAME and
     * ETCD_ENDPOINTS; returns what {@code daemon} recorded, after checking node stop stops it (pid file {@code name}).
     */
    private String childArgs(Path tmp, String flag, String daemon, String name) throws Exception {
        Path home = tmp.resolve("home");
        Files.createDirectories(home.resolve("bin"));
        for (String d : List.of("felix-agent", daemon)) {
            Path script = home.resolve("bin").resolve(d);
            Files.writeString(
                    script,
                    "#!/bin/sh\necho \"$@ $HOSTNAME $ETCD_ENDPOINTS\" > " + tmp.resolve(d + ".args")
                            + "\nexec sleep 300\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path runDir = tmp.resolve("run");
        node = javactl(
                        home,
                        "node",
                        "run",
                        "--name",
                        "n2",
                        "--ip",
                        "192.0.2.12",
                        "--backend",
                        "none",
                        flag,
                        "--run-dir",
                        runDir.toString())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("node.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !Files.exists(runDir.resolve(name + ".pid"))) {
            Thread.sleep(100);
        }
        while (System.nanoTime() < deadline && !Files.exists(tmp.resolve(daemon + ".args"))) {
            Thread.sleep(100);
        }
        String args = Files.readString(tmp.resolve(daemon + ".args")).trim();
        long pid =
                Long.parseLong(Files.readString(runDir.resolve(name + ".pid")).trim());
        assertThat(run(javactl(home, "node", "stop", "--name", "n2", "--run-dir", runDir.toString())))
                .contains("Stopped node n2");
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
        return args;
    }
}
