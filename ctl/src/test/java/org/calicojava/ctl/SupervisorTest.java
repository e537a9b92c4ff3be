package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real child processes (sh): restarts with backoff, logs, stops by PID. */
class SupervisorTest {
    @Test
    void restartsAChildThatDiesAndStopsAll(@TempDir Path dir) throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        Supervisor s = new Supervisor(dir, log::add, Duration.ofMillis(50), Duration.ofMillis(200));
        s.start(new Supervisor.Spec(
                "flaky", List.of("sh", "-c", "echo run >> " + dir.resolve("runs") + "; exit 3"), Map.of()));
        s.start(new Supervisor.Spec(
                "steady", List.of("sh", "-c", "echo hello $GREETING; exec sleep 60"), Map.of("GREETING", "x")));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline
                && (!Files.exists(dir.resolve("runs"))
                        || Files.readAllLines(dir.resolve("runs")).size() < 4)) {
            Thread.sleep(20);
        }
        assertThat(Files.readAllLines(dir.resolve("runs")).size()).isGreaterThanOrEqualTo(4);
        assertThat(log).anyMatch(l -> l.startsWith("flaky exited with code 3; restarting in "));
        Supervisor.State steady = s.states().get(1);
        assertThat(steady.state()).isEqualTo("running");
        long pid = steady.pid();
        assertThat(ProcessHandle.of(pid)).isPresent();
        assertThat(Files.readString(dir.resolve("steady.pid")).trim()).isEqualTo(Long.toString(pid));
        while (System.nanoTime() < deadline
                && !Files.readString(dir.resolve("steady.log")).contains("hello x")) {
            Thread.sleep(20);
        }
        assertThat(Files.readString(dir.resolve("steady.log"))).contains("hello x");
        assertThat(s.states().get(0).restarts()).isGreaterThanOrEqualTo(3);
        s.stop(Duration.ofSeconds(5));
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
        assertThat(dir.resolve("steady.pid")).doesNotExist();
        assertThat(log).contains("steady stopped (exit 143)");
    }

    @Test
    void killsAChildThatIgnoresSigterm(@TempDir Path dir) throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        Supervisor s = new Supervisor(dir, log::add, Duration.ofMillis(50), Duration.ofMillis(200));
        Path ready = dir.resolve("stubborn.ready");
        s.start(new Supervisor.Spec(
                "stubborn",
                List.of("sh", "-c", "trap '' TERM; touch \"$0\"; while :; do sleep 0.1; done", ready.toString()),
                Map.of()));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        // the child says when its trap is set: a SIGTERM before that would end it at once
        while (System.nanoTime() < deadline && (s.states().get(0).pid() == 0 || !Files.exists(ready))) {
            Thread.sleep(20);
        }
        assertThat(ready).as("the child's trap set").exists();
        long pid = s.states().get(0).pid();
        s.stop(Duration.ofMillis(500));
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
        assertThat(log).anyMatch(l -> l.startsWith("stubborn did not stop in time; killing pid " + pid));
    }

    @Test
    void startsNoChildOnceStopping(@TempDir Path dir) throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        Supervisor s = new Supervisor(dir, log::add, Duration.ofMillis(50), Duration.ofMillis(200));
        s.stop(Duration.ofSeconds(1)); // as node run's shutdown hook, before the main thread starts the children
        s.start(new Supervisor.Spec(
                "late", List.of("sh", "-c", "echo ran > " + dir.resolve("ran") + "; exec sleep 60"), Map.of()));
        Thread.sleep(1000);
        assertThat(dir.resolve("ran")).doesNotExist();
        assertThat(s.states().get(0).pid()).isZero();
        assertThat(log).isEmpty();
    }

    @Test
    void aNullEnvironmentValueRemovesTheVariable(@TempDir Path dir) throws Exception {
        Supervisor s = new Supervisor(dir, line -> {}, Duration.ofMillis(50), Duration.ofMillis(200));
        Map<String, String> env = new java.util.HashMap<>();
        env.put("PATH", System.getenv("PATH"));
        env.put("HOME", null);
        env.put("CJ_SET", "yes");
        s.start(new Supervisor.Spec(
                "env",
                List.of(
                        "sh",
                        "-c",
                        "echo \"home=${HOME-unset} set=$CJ_SET\" > " + dir.resolve("env.out") + "; exec sleep 60"),
                env));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline
                && !(Files.exists(dir.resolve("env.out"))
                        && Files.readString(dir.resolve("env.out")).endsWith("\n"))) {
            Thread.sleep(20);
        }
        s.stop(Duration.ofSeconds(5));
        assertThat(Files.readString(dir.resolve("env.out")).trim()).isEqualTo("home=unset set=yes");
    }
}
