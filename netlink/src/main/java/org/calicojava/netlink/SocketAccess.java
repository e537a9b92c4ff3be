package org.calicojava.netlink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

/**
 * Who may use a local control socket (the speaker's control socket, the Docker driver's plugin socket): the file is
 * made mode 0660, owned by root and the given group (default root), and each connection's peer credentials
 * (SO_PEERCRED: uid, gid, pid) are checked: root, or a process whose primary or supplementary groups (from
 * {@code /proc/PID/status}) include the group. The mode is defence in depth (a client that connects in the moment
 * between bind and chmod is still checked); the credential check is what decides.
 */
public final class SocketAccess {
    private final String group;
    private volatile int gid = -1;

    /** @param group the group whose members may connect besides root; null or blank: root only */
    public SocketAccess(String group) {
        this.group = group == null || group.isBlank() ? "root" : group.strip();
        if (!this.group.matches("[a-z_][a-z0-9_-]{0,31}\\$?")) {
            throw new IllegalArgumentException("socket group: '" + group + "' (expected: a group name)");
        }
    }

    public String group() {
        return group;
    }

    /** Sets the socket file's group and mode 0660; remembers the group's number for {@link #allows}. */
    public void restrict(Path socket) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(socket, PosixFileAttributeView.class);
        GroupPrincipal g = socket.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        view.setGroup(g);
        view.setPermissions(PosixFilePermissions.fromString("rw-rw----"));
        gid = (Integer) Files.getAttribute(socket, "unix:gid");
    }

    /** Whether a peer with these credentials may use the socket. */
    public boolean allows(int uid, int peerGid, int pid) {
        if (uid == 0) {
            return true;
        }
        int g = gid;
        if (g < 0 || g == 0 && !"root".equals(group)) {
            return false; // restrict() not called: root only
        }
        if (peerGid == g) {
            return true;
        }
        return Arrays.stream(supplementaryGroups(pid)).anyMatch(x -> x == g);
    }

    /** A one-line reason for a refusal, naming the peer. */
    public String refusal(int uid, int peerGid, int pid) {
        return "permission denied: uid " + uid + " (pid " + pid + ") is neither root nor in group " + group;
    }

    private static int[] supplementaryGroups(int pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
                if (line.startsWith("Groups:")) {
                    String rest = line.substring(7).strip();
                    return rest.isEmpty() ? new int[0]
                            : Arrays.stream(rest.split("\\s+")).mapToInt(Integer::parseInt).toArray();
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone or unreadable: no supplementary groups
        }
        return new int[0];
    }
}
