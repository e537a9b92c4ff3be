package org.calicojava.ctl.resource;

import java.nio.file.Path;
import org.calicojava.model.BgpPassword;
import org.calicojava.model.LogText;
import org.calicojava.store.cli.EtcdOptionsException;
import org.calicojava.store.cli.PasswordFile;

/**
 * Resolves a {@link Specs.PasswordRef}: the first line of a file only its owner may read (etcd-schema's
 * {@link PasswordFile}, as {@code --password-file}), a variable of javactl's environment, or the password already
 * stored. Checked with {@link BgpPassword}; no message contains the password.
 */
final class Passwords {
    private Passwords() {}

    /** The password to store, or null for none. {@code stored} is the current one (null: none). */
    static String resolve(
            String field, Specs.PasswordRef ref, String stored, java.util.function.Function<String, String> env) {
        if (ref == null) {
            return null;
        }
        int given = (ref.file() != null ? 1 : 0) + (ref.env() != null ? 1 : 0) + (ref.keeps() ? 1 : 0);
        if (given != 1) {
            throw new IllegalArgumentException(field + ": give exactly one of file, env or keep: true");
        }
        String pw;
        String source;
        if (ref.keeps()) {
            if (stored == null) {
                throw new IllegalArgumentException(field + ".keep: no password is stored to keep");
            }
            return stored;
        } else if (ref.file() != null) {
            source = field + ".file: " + ref.file();
            try {
                pw = PasswordFile.read(field + ".file", Path.of(ref.file()));
            } catch (EtcdOptionsException | java.nio.file.InvalidPathException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        } else {
            source = field + ".env: " + ref.env();
            pw = env.apply(ref.env());
            if (pw == null || pw.isEmpty()) {
                throw new IllegalArgumentException(
                        field + ".env: variable " + LogText.quote(ref.env()) + " is not set");
            }
        }
        try {
            return BgpPassword.check(pw);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage());
        }
    }

    /** What get prints for a stored password: a reference that keeps it, never the password. */
    static Specs.PasswordRef shown(String stored) {
        return stored == null ? null : new Specs.PasswordRef(null, null, true);
    }
}
