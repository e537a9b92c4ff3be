package org.calicojava.ctl.diags;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.calicojava.model.Json;
import org.calicojava.store.KeyValue;
import org.calicojava.store.KvStore;

/** The pieces of a diagnostics archive that are not plain commands: etcd subtrees, the speaker's control socket. */
public final class Sources {
    /** The most a control-socket answer may be (a full table of a big RIB fits). */
    private static final int MAX_ANSWER = 32 * 1024 * 1024;

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
        if (!Files.exists(socket)) {
            throw new IOException("no control socket " + socket);
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            // the newline ends the command; no half-close: the speaker's transport (Netty 4.2.18 epoll) loses an answer
            // larger than the socket's buffer once the client's side is shut (bgp-speaker README, control socket)
            ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
            byte[] answer = Channels.newInputStream(ch).readNBytes(MAX_ANSWER);
            return "$ " + command + "   (" + socket + ")\n" + new String(answer, StandardCharsets.UTF_8);
        }
    }
}
