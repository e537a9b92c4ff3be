package org.calicojava.store.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Reads a secret from a file that only its owner may read: a file readable, writable or executable by group or
 * others is refused (chmod 600 it). The content up to the first line break is the secret.
 */
public final class PasswordFile {
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);

    private PasswordFile() {}

    /** The secret in {@code file}; {@code source} names where the path came from (an option or variable). */
    public static String read(String source, Path file) {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(file);
        } catch (IOException e) {
            throw new EtcdOptionsException(
                    source + ": " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        Set<PosixFilePermission> open = EnumSet.noneOf(PosixFilePermission.class);
        open.addAll(perms);
        open.retainAll(OTHERS);
        if (!open.isEmpty()) {
            throw new EtcdOptionsException(source + ": " + file + " has mode " + PosixFilePermissions.toString(perms)
                    + " (expected: no access for group and others, e.g. chmod 600)");
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new EtcdOptionsException(
                    source + ": " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        int nl = text.indexOf('\n');
        String secret = nl >= 0 ? text.substring(0, nl) : text;
        if (secret.endsWith("\r")) {
            secret = secret.substring(0, secret.length() - 1);
        }
        if (secret.isEmpty()) {
            throw new EtcdOptionsException(
                    source + ": " + file + " is empty (expected: the password on its first line)");
        }
        return secret;
    }
}
