package org.calicojava.felix.dataplane;

import java.util.Set;
import java.util.concurrent.Callable;
import org.calicojava.netlink.EventGroup;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.NetlinkEvents;
import org.calicojava.netlink.NetlinkListener;
import org.calicojava.process.CommandRunner;
import org.calicojava.process.ProcessRunner;

/**
 * The network namespace the agent programs. {@link #current()} is the one the process runs in (production);
 * {@link #named} is {@code /var/run/netns/NAME} (tests, and several simulated hosts in one JVM): netlink sockets
 * are opened inside it, commands run through {@code ip netns exec NAME}, and code that depends on the calling
 * thread's namespace (sysctls, binding the HTTP ports) runs on a thread inside it.
 */
public interface Namespace {
    Netlink openNetlink();

    NetlinkEvents subscribe(Set<EventGroup> groups, NetlinkListener listener);

    /** Runs {@code task} with the namespace as the thread's network namespace. */
    <T> T run(Callable<T> task);

    CommandRunner commands();

    String describe();

    /** Whether this is the process's own namespace (the host's, in production), not a named one. */
    default boolean isCurrent() {
        return false;
    }

    static Namespace current() {
        return new Namespace() {
            public Netlink openNetlink() {
                return Netlink.open();
            }

            public NetlinkEvents subscribe(Set<EventGroup> groups, NetlinkListener listener) {
                return NetlinkEvents.subscribe(groups, listener);
            }

            public <T> T run(Callable<T> task) {
                try {
                    return task.call();
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }

            public CommandRunner commands() {
                return ProcessRunner.local();
            }

            public String describe() {
                return "this namespace";
            }

            @Override
            public boolean isCurrent() {
                return true;
            }
        };
    }

    static Namespace named(String name) {
        if (!NetNs.exists(name)) {
            throw new IllegalArgumentException("network namespace: " + name + " does not exist");
        }
        return new Namespace() {
            public Netlink openNetlink() {
                return NetNs.open(name);
            }

            public NetlinkEvents subscribe(Set<EventGroup> groups, NetlinkListener listener) {
                return NetNs.subscribe(name, groups, listener);
            }

            public <T> T run(Callable<T> task) {
                return NetNs.run(name, task);
            }

            public CommandRunner commands() {
                return ProcessRunner.inNetns(name);
            }

            public String describe() {
                return "namespace " + name;
            }
        };
    }
}
