package org.calicojava.netlink;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.Arrays;

/**
 * Who may use a local control socket (the speaker's control socket, the Docker driver's plugin socket). The socket
 * is bound in a private 0700 directory beside its final path ({@link #staging}), given mode 0660 and its group
 * there, then renamed into place ({@link #publish}), so it never exists with the umask's mode. Each connection's
 * peer credentials (SO_PEERCRED: uid, gids, pid) then decide ({@link #allows}): root, this process's own uid, or a
 * process whose primary or supplementary groups (from {@code /proc/PID/status}) include the socket's group.
 */
public final class SocketAccess {
    private static final int OWN_UID = ownUid();
    private final String group;
    private volatile int gid = -1;

    /** @param group the group whose members may connect besides root; null or blank: this process's own group */
    public SocketAccess(String group) {
        this.group = group == null || group.isBlank() ? null : group.strip();
        if (this.group != null && !this.group.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}\\$?")) {
            throw new IllegalArgumentException("socket group: '" + group + "' (expected: a group name or number)");
        }
    }

    /** The configured group name, or null for this process's own group. */
    public String group() {
        return group;
    }

    /** The socket file's group id, once published (-1 before). */
    public int gid() {
        return gid;
    }

    /** A path to bind the socket at: inside a new private (0700) directory beside {@code socket}. */
    public Path staging(Path socket) throws IOException {
        Path abs = socket.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        return Files.createTempDirectory(abs.getParent(), ".sock-").resolve("s");
    }

    /**
     * Gives the bound socket at {@code staged} mode 0660 and the group, then renames it to {@code socket} (replacing
     * a stale one) and removes the private directory, also when it fails.
     */
    public void publish(Path staged, Path socket) throws IOException {
        try {
            Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("rw-rw----"));
            if (group != null) {
                GroupPrincipal g;
                try {
                    g = staged.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
                } catch (UserPrincipalNotFoundException e) {
                    throw new IOException("socket group: " + group + " (expected: an existing group)");
                }
                Files.getFileAttributeView(staged, PosixFileAttributeView.class).setGroup(g);
            }
            gid = (Integer) Files.getAttribute(staged, "unix:gid");
            try {
                Files.move(
                        staged,
                        socket.toAbsolutePath(),
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("socket " + socket + ": cannot be renamed into place (another file system?)");
            }
        } finally {
            Files.deleteIfExists(staged);
            Files.deleteIfExists(staged.getParent());
        }
    }

    /** Whether a peer with these credentials (uid, its gids as SO_PEERCRED gives them, pid) may use the socket. */
    public boolean allows(int uid, int[] gids, int pid) {
        if (uid == 0 || uid == OWN_UID) {
            return true;
        }
        int g = gid;
        if (g < 0) {
            return false; // not published: root and this uid only
        }
        return Arrays.stream(gids).anyMatch(x -> x == g)
                || Arrays.stream(supplementaryGroups(pid)).anyMatch(x -> x == g);
    }

    /**
     * For a socket whose calls act as root on the host: null when the peer is root (or this process's own user), else
     * the one-line reason for refusing it.
     */
    public static String refuseUnlessRoot(int uid, int pid) {
        return uid == 0 || uid == OWN_UID ? null : "permission denied: uid " + uid + " (pid " + pid + ") is not root";
    }

    /** A one-line reason for a refusal, naming the peer. */
    public String refusal(int uid, int pid) {
        return "permission denied: uid " + uid + " (pid " + pid + ") is neither root nor in group "
                + (group != null ? group : gid);
    }

    private static int[] supplementaryGroups(int pid) {
        if (pid <= 0) {
            return new int[0];
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
                if (line.startsWith("Groups:")) {
                    String rest = line.substring(7).strip();
                    return rest.isEmpty()
                            ? new int[0]
                            : Arrays.stream(rest.split("\\s+"))
                                    .mapToInt(Integer::parseInt)
                                    .toArray();
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone or unreadable: no supplementary groups (no membership is assumed)
        }
        return new int[0];
    }

    private static int ownUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
