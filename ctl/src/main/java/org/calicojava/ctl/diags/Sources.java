package org.calicojava.ctl.diags;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.calicojava.common.ControlSocket;
import org.calicojava.model.Json;
import org.calicojava.store.KeyValue;
import org.calicojava.store.KvStore;

/** The pieces of a diagnostics archive that are not plain commands: etcd subtrees, the speaker's control socket. */
public final class Sources {
    /** The most a control-socket answer may be (a full table of a big RIB fits). */
    private static final int MAX_ANSWER = 32 * 1024 * 1024;

    /** The longest a control-socket answer may take (a full table of a big RIB comes in well under this). */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Sources() {}

    /**
     * Every key under each prefix with its value, secrets masked; the secrets found are remembered in {@code secrets}
     * (so they are masked in every other piece too).
     */
    public static String etcd(KvStore store, List<String> prefixes, Secrets secrets) {
        StringBuilder sb = new StringBuilder();
        for (String prefix : prefixes) {
            sb.append("# ").append(prefix).append('\n');
            for (KeyValue kv : store.list(prefix).kvs()) {
                try {
                    secrets.addFromJson(Json.MAPPER.readTree(kv.value()));
                } catch (IOException | RuntimeException e) {
                    // not JSON: a plain value
                }
                if (Secrets.isSecretName(kv.key())) {
                    secrets.add(kv.value().trim());
                }
            }
            for (KeyValue kv : store.list(prefix).kvs()) {
                String v = Secrets.isSecretName(kv.key()) ? Secrets.MASK : secrets.maskJson(kv.value());
                sb.append(kv.key()).append(" = ").append(v.replace('\n', ' ')).append('\n');
            }
        }
        return sb.toString();
    }

    /** One command to the speaker's control socket (one line out, the answer until the speaker closes). */
    public static String speaker(Path socket, String command) throws IOException {
        String answer = ControlSocket.askCut(socket, command, TIMEOUT, MAX_ANSWER); // a huge table: its first 32 MiB
        return "$ " + command + "   (" + socket + ")\n" + answer;
    }
}
