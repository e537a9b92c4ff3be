package org.calicojava.ctl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a node's processes and keeps them running: each child has its own thread that starts it (output appended to
 * {@code DIR/NAME.log}, PID in {@code DIR/NAME.pid}), waits for it, and restarts it after an exponential backoff
 * (1 s doubling to 30 s; back to 1 s once a child has run for a minute). Every start, exit and restart is one log
 * line. {@link #stop()} sends SIGTERM to every child, then SIGKILL to any still alive after the grace period.
 * Thread-safety: each child's state is written by its own thread and read under the child's monitor. A child is
 * started under that monitor only while the supervisor is not stopping, so {@link #stop} (which may run in a shutdown
 * hook while children are still being started) never misses one.
 */
final class Supervisor {
    /** What to run; {@code env} is added to the inherited environment, a null value removes that variable. */
    record Spec(String name, List<String> command, Map<String, String> env) {
        Spec {
            command = List.copyOf(command);
            env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
        }
    }

    /** What a child is doing now. */
    record State(String name, String state, long pid, int restarts, Instant since, String lastExit) {}

    private final Path dir;
    private final Consumer<String> log;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final List<Child> children = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean stopping;

    Supervisor(Path dir, Consumer<String> log, Duration firstBackoff, Duration maxBackoff) {
        this.dir = dir;
        this.log = log;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
    }

    void start(Spec spec) {
        Child c = new Child(spec);
        children.add(c);
        Thread t = new Thread(c::loop, "supervise-" + spec.name());
        t.setDaemon(true);
        c.thread = t;
        t.start();
    }

    List<State> states() {
        List<State> out = new ArrayList<>();
        for (Child c : children) {
            out.add(c.state());
        }
        return out;
    }

    /** Stops every child: SIGTERM, then SIGKILL after {@code grace}. */
    void stop(Duration grace) {
        stopping = true;
        for (Child c : children) {
            c.signalStop();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (Child c : children) {
            c.awaitOrKill(deadline);
        }
        for (Child c : children) {
            try {
                c.thread.join(2000); // its last log line ("... stopped") comes before stop returns
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private final class Child {
        private final Spec spec;
        private volatile Thread thread;
        private Process process;
        private String status = "starting";
        private int restarts;
        private Instant since = Instant.now();
        private String lastExit = "";

        Child(Spec spec) {
            this.spec = spec;
        }

        synchronized State state() {
            return new State(
                    spec.name(),
                    status,
                    process != null && process.isAlive() ? process.pid() : 0,
                    restarts,
                    since,
                    lastExit);
        }

        void loop() {
            Duration backoff = firstBackoff;
            while (!stopping) {
                Instant started = Instant.now();
                try {
                    ProcessBuilder pb = new ProcessBuilder(spec.command())
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(
                                    dir.resolve(spec.name() + ".log").toFile()));
                    spec.env().forEach((k, v) -> {
                        if (v == null) {
                            pb.environment().remove(k);
                        } else {
                            pb.environment().put(k, v);
                        }
                    });
                    Process p;
                    synchronized (this) {
                        if (stopping) {
                            status = "stopped";
                            return;
                        }
                        p = pb.start();
                        process = p;
                        status = "running";
                        since = started;
                    }
                    ProcCmdline.writePidFile(dir.resolve(spec.name() + ".pid"), p.pid());
                    log.accept(spec.name() + " started, pid " + p.pid());
                    int code = p.waitFor();
                    synchronized (this) {
                        lastExit = "exit " + code + " at " + Instant.now();
                        status = stopping ? "stopped" : "restarting";
                        since = Instant.now();
                    }
                    if (stopping) {
                        log.accept(spec.name() + " stopped (exit " + code + ")");
                        return;
                    }
                    log.accept(spec.name() + " exited with code " + code + "; restarting in " + backoff.toMillis()
                            + " ms");
                } catch (IOException e) {
                    synchronized (this) {
                        lastExit = "could not start: " + e.getMessage();
                        status = "restarting";
                    }
                    log.accept(spec.name() + " could not start (" + e.getMessage() + "); retrying in "
                            + backoff.toMillis() + " ms");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (Duration.between(started, Instant.now()).compareTo(Duration.ofMinutes(1)) > 0) {
                    backoff = firstBackoff;
                }
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
                synchronized (this) {
                    restarts++;
                }
            }
        }

        private void sleep(Duration d) {
            long end = System.nanoTime() + d.toNanos();
            while (!stopping && System.nanoTime() < end) {
                try {
                    Thread.sleep(Math.min(100, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        synchronized void signalStop() {
            if (process != null && process.isAlive()) {
                process.destroy(); // SIGTERM
            }
        }

        void awaitOrKill(long deadlineNanos) {
            Process p;
            synchronized (this) {
                p = process;
            }
            if (p == null) {
                return;
            }
            try {
                long left = Math.max(0, deadlineNanos - System.nanoTime());
                if (!p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    log.accept(spec.name() + " did not stop in time; killing pid " + p.pid());
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                Files.deleteIfExists(dir.resolve(spec.name() + ".pid"));
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /** The states as JSON-ready maps (for the status file). */
    List<Map<String, Object>> describe() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (State s : states()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("state", s.state());
            m.put("pid", s.pid());
            m.put("restarts", s.restarts());
            m.put("since", s.since().toString());
            m.put("last_exit", s.lastExit());
            out.add(m);
        }
        return out;
    }
}
