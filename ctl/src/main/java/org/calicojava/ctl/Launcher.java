package org.calicojava.ctl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How {@code node run} starts a child: through util-linux's {@code setpriv}, which ties the child to node run with
 * PR_SET_PDEATHSIG (SIGKILL when node run dies, even by SIGKILL, so no child outlives its supervisor) and, when node
 * run is root, sets no_new_privs and leaves the child only its documented capabilities (inheritable and bounding
 * set; for root the bounding set is what an exec'd program's permitted and effective sets become).
 * Without setpriv on the PATH the command runs as given (and {@link #warning()} says so).
 */
final class Launcher {
    /** The capabilities of each child, by its name in the supervisor (see the README's Security section). */
    static final Map<String, List<String>> CAPABILITIES = Map.of(
            "felix-agent", List.of("net_admin", "net_raw"),
            "bgp-speaker", List.of("net_admin", "net_bind_service"),
            "bird", List.of("net_admin", "net_bind_service", "net_raw", "net_broadcast"),
            "confd-renderer", List.of(),
            "ctl", List.of(), // reads etcd for the calls it is handed
            "libnetwork", List.of("net_admin", "sys_admin"),
            // setns into container namespaces (sys_admin), whose /proc/PID/ns/net may belong to a more privileged
            // process (sys_ptrace); delegated IPAM plugins it runs get the same set
            "cni", List.of("net_admin", "sys_admin", "sys_ptrace"));

    private final String setpriv;
    private final boolean dropCapabilities;

    Launcher(String setpriv, boolean dropCapabilities) {
        this.setpriv = setpriv;
        this.dropCapabilities = dropCapabilities;
    }

    /** setpriv from the PATH; capabilities dropped when this process is root and {@code keepCapabilities} is false. */
    static Launcher fromEnvironment(boolean keepCapabilities) {
        return new Launcher(find("setpriv"), !keepCapabilities && isRoot());
    }

    String warning() {
        return setpriv == null
                ? "setpriv (util-linux) not found: children run with node run's capabilities and are "
                        + "not killed if node run is killed"
                : null;
    }

    List<String> wrap(String name, List<String> command) {
        if (setpriv == null) {
            return command;
        }
        List<String> out = new ArrayList<>(List.of(setpriv, "--pdeathsig", "KILL"));
        if (dropCapabilities) {
            List<String> caps = CAPABILITIES.get(name);
            if (caps == null) {
                throw new IllegalArgumentException(
                        "child " + name + ": no capability set (expected one of " + CAPABILITIES.keySet() + ")");
            }
            String set = capList(caps);
            out.addAll(List.of("--no-new-privs", "--inh-caps", set, "--bounding-set", set));
        }
        out.add("--");
        out.addAll(command);
        return out;
    }

    /** setpriv's syntax: "-all" then "+cap" for each. */
    static String capList(List<String> caps) {
        StringBuilder b = new StringBuilder("-all");
        for (String c : caps) {
            b.append(",+").append(c);
        }
        return b.toString();
    }

    private static String find(String program) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin:/bin:/usr/sbin:/sbin" : path).split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Path.of(dir, program).toString();
            }
        }
        return null;
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // effective uid
                }
            }
        } catch (IOException ignored) {
            // not Linux: treat as not root
        }
        return false;
    }
}
