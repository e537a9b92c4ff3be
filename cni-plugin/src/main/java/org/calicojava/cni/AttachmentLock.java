package org.calicojava.cni;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lock of one attachment (container id and interface name), held around ADD, DEL and CHECK by the resident server
 * and the one-shot process alike, so two calls for the same attachment never overlap (a shim that fell back to its
 * own JVM while the server still runs the call, a runtime retrying at once): a POSIX lock on one of
 * {@value #STRIPES} files per kind, {@code /run/calico-java/cni-locks/KIND-NNN.lock} ({@code CALICO_JAVA_CNI_LOCK_DIR}
 * of the process taking it instead, if set), chosen by the attachment's endpoint id (which is hashed from both), and,
 * since a process holds a POSIX lock once for all its threads, an in-process lock per file as well. Two attachments
 * that share a file take turns (Calico's own plugin serialises every IPAM call on one lock file). The files are never
 * removed (removing one while another process waits on it would let two holders in at once), so their number is
 * bounded: at most {@value #STRIPES} per kind, however many attachments come and go. Waits at most
 * {@code timeoutSeconds}, then the call fails with code 11 (try again later).
 */
final class AttachmentLock implements AutoCloseable {
    /** Where the lock files are unless {@link #DIR_ENV} says otherwise. */
    static final Path DEFAULT_DIR = Path.of("/run/calico-java/cni-locks");

    /** An absolute directory for the lock files instead (tests point it into their build directory). */
    static final String DIR_ENV = "CALICO_JAVA_CNI_LOCK_DIR";

    /** The lock files' directory: {@link #DIR_ENV} of this process, else {@link #DEFAULT_DIR}. */
    static Path dir() {
        String d = System.getenv(DIR_ENV);
        if (d == null || d.isBlank()) {
            return DEFAULT_DIR;
        }
        if (!d.startsWith("/") || d.contains("\0") || d.length() > 4096) {
            throw new CniException(
                    CniException.INVALID_ENVIRONMENT,
                    DIR_ENV + ": " + org.calicojava.model.LogText.quote(d) + " (expected: an absolute path)");
        }
        return Path.of(d);
    }

    /** Lock files per kind: enough that unrelated attachments seldom wait for each other. */
    static final int STRIPES = 1024;

    /** The lock file of an attachment: its kind and the stripe its endpoint id falls in. */
    static Path file(Cli.Kind kind, CniEnv env) {
        int stripe = Integer.remainderUnsigned(NetworkPlugin.endpointId(env).hashCode(), STRIPES);
        return dir().resolve(kind.name().toLowerCase(java.util.Locale.ROOT)
                + String.format(java.util.Locale.ROOT, "-%03x.lock", stripe));
    }

    private static final Map<Path, Local> LOCAL = new HashMap<>(); // guarded by itself

    /** In-process lock of one file, with the number of threads holding or waiting for it. */
    private static final class Local {
        final ReentrantLock lock = new ReentrantLock();
        int users;
    }

    private final Path file;
    private final Local local;
    private FileChannel channel;

    private AttachmentLock(Path file, Local local) {
        this.file = file;
        this.local = local;
    }

    static AttachmentLock acquire(Cli.Kind kind, CniEnv env, long timeoutSeconds) {
        Path file = file(kind, env);
        Path dir = file.getParent();
        Local local;
        synchronized (LOCAL) {
            local = LOCAL.computeIfAbsent(file, f -> new Local());
            local.users++;
        }
        AttachmentLock l = new AttachmentLock(file, local);
        if (local.lock.isHeldByCurrentThread()) {
            // a second channel's lock would throw, and closing it would drop this process's lock on the file: no call
            // takes two attachment locks, so this is a bug, answered as one rather than let two calls in at once
            l.leave();
            throw new CniException(
                    CniException.PLUGIN_FAILURE, "internal error: the lock file " + file + " taken twice by one call");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        try {
            if (!local.lock.tryLock(timeoutSeconds, TimeUnit.SECONDS)) {
                l.leave();
                throw busy(env, timeoutSeconds);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            l.leave();
            throw busy(env, timeoutSeconds);
        }
        try {
            Files.createDirectories(dir);
            l.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            while (true) {
                FileLock fl = l.channel.tryLock();
                if (fl != null) {
                    return l;
                }
                if (System.nanoTime() > deadline) {
                    throw busy(env, timeoutSeconds);
                }
                Thread.sleep(20);
            }
        } catch (IOException e) {
            l.close();
            throw new CniException(CniException.PLUGIN_FAILURE, "lock " + file + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            l.close();
            throw busy(env, timeoutSeconds);
        } catch (RuntimeException e) {
            l.close();
            throw e;
        }
    }

    private static CniException busy(CniEnv env, long seconds) {
        return new CniException(
                CniException.TRY_AGAIN_LATER,
                "another call for " + env.containerId() + " " + env.ifname()
                        + " (or for an attachment sharing its lock file) is still running after " + seconds
                        + " s; try again later");
    }

    private void leave() {
        synchronized (LOCAL) {
            if (--local.users == 0) {
                LOCAL.remove(file);
            }
        }
    }

    /** Releases the file lock (closing the channel does), then the in-process lock. */
    @Override
    public void close() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // closing releases the lock whatever close reports
        } finally {
            local.lock.unlock();
            leave();
        }
    }
}
