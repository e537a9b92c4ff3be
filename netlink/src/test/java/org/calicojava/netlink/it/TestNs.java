package org.calicojava.netlink.it;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.Netlink;
import org.calicojava.testing.Sh;

/**
 * A network namespace with a unique name ({@code cj-XXXXXX}) made for one test, with an open {@link Netlink} and
 * loopback up; close() deletes it (use in try-with-resources or @AfterEach so failures clean up too).
 */
public final class TestNs implements AutoCloseable {
    public final String name;
    public final Netlink nl;

    public TestNs() {
        name = "cj-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        NetNs.create(name);
        Netlink n = null;
        try {
            n = NetNs.open(name);
            n.setUp("lo");
        } catch (RuntimeException e) {
            if (n != null) {
                n.close();
            }
            NetNs.delete(name);
            throw e;
        }
        nl = n;
    }

    /** Runs {@code ip -n NAME args...} and returns its output. */
    public String ip(String... args) {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "ip";
        cmd[1] = "-n";
        cmd[2] = name;
        System.arraycopy(args, 0, cmd, 3, args.length);
        return Sh.ok(cmd);
    }

    @Override
    public void close() {
        try {
            nl.close();
        } finally {
            if (NetNs.exists(name)) {
                NetNs.delete(name);
            }
        }
    }

    /** Polls {@code condition} every 20 ms for up to {@code seconds}; true once it holds. */
    public static boolean await(int seconds, BooleanSupplier condition) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }
}
