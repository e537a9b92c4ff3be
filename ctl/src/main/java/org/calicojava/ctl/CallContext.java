package org.calicojava.ctl;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What one javactl call sees of its process: the environment (etcd settings, HOSTNAME) and its stderr. A one-shot
 * process uses its own; the resident {@link CtlServer} runs each call with the caller's forwarded environment, and
 * whatever the call writes to stderr (warnings, slf4j's log lines: {@link #demultiplexStderr}) goes to the caller, so
 * a call answers the same whichever way it ran.
 */
public final class CallContext {
    private static final ThreadLocal<CallContext> CURRENT = new ThreadLocal<>();
    private static final CallContext PROCESS = new CallContext(System.getenv(), null);

    private final Map<String, String> env;
    private final OutputStream err;

    private CallContext(Map<String, String> env, OutputStream err) {
        this.env = env;
        this.err = err;
    }

    /** The current call's context: a server call's, else the process's. */
    public static CallContext current() {
        CallContext c = CURRENT.get();
        return c == null ? PROCESS : c;
    }

    /** The call's environment. */
    public Map<String, String> env() {
        return env;
    }

    /** One environment variable of the call, or null. */
    public String env(String name) {
        return env.get(name);
    }

    /**
     * Runs {@code call} on this thread with {@code env} as its environment and {@code err} as its stderr; the thread
     * is named {@code main} meanwhile, as in a one-shot process (slf4j's lines show it).
     */
    static int with(Map<String, String> env, OutputStream err, Supplier<Integer> call) {
        Thread t = Thread.currentThread();
        String name = t.getName();
        CURRENT.set(new CallContext(Map.copyOf(env), err));
        t.setName("main");
        try {
            return call.get();
        } finally {
            t.setName(name);
            CURRENT.remove();
        }
    }

    /** From now on, System.err of a thread running a call ({@link #with}) is that call's stderr; others' is as before. */
    static synchronized void demultiplexStderr() {
        PrintStream own = System.err;
        System.setErr(new PrintStream(
                new OutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        target().write(b);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        target().write(b, off, len);
                    }

                    @Override
                    public void flush() throws IOException {
                        target().flush();
                    }

                    private OutputStream target() {
                        CallContext c = CURRENT.get();
                        return c == null || c.err == null ? own : c.err;
                    }
                },
                true,
                StandardCharsets.UTF_8));
    }
}
