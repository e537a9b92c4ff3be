package org.calicojava.cni;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.calicojava.model.Json;
import org.calicojava.model.LogText;

/**
 * Runs a delegated plugin (an IPAM plugin such as host-local) as the spec says: the executable named by its
 * {@code type} in one of the {@code CNI_PATH} directories, the same CNI_* environment (with {@code CNI_COMMAND} set),
 * the network configuration on stdin, the result or error JSON on stdout.
 */
final class ExecPlugin {
    private static final Pattern TYPE = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]{0,63}");
    private static final long TIMEOUT_SECONDS = 60;

    private ExecPlugin() {}

    static Path find(String type, List<Path> cniPath) {
        if (!TYPE.matcher(type).matches()) {
            throw NetConf.invalid("plugin type " + LogText.quote(type) + " (expected: a file name)");
        }
        for (Path dir : cniPath) {
            Path p = dir.resolve(type);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        throw new CniException(
                CniException.INVALID_CONFIG,
                "plugin " + type + " not found in CNI_PATH "
                        + LogText.quote(String.join(
                                ":", cniPath.stream().map(Path::toString).toList())));
    }

    /** Runs {@code type} with {@code command}; returns its parsed stdout (null when empty, as DEL's). */
    static JsonNode run(String type, String command, List<Path> cniPath, Map<String, String> env, byte[] stdin) {
        Path exe = find(type, cniPath);
        ProcessBuilder pb = new ProcessBuilder(exe.toString()).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(env);
        pb.environment().put("CNI_COMMAND", command);
        String out;
        int rc;
        try {
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin);
            }
            try (InputStream o = p.getInputStream()) {
                out = new String(o.readNBytes(NetConf.MAX_BYTES), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CniException(
                        CniException.PLUGIN_FAILURE, type + " " + command + ": no answer in " + TIMEOUT_SECONDS + " s");
            }
            rc = p.exitValue();
        } catch (IOException e) {
            throw new CniException(CniException.IO_FAILURE, type + " " + command + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CniException(CniException.PLUGIN_FAILURE, type + " " + command + ": interrupted");
        }
        JsonNode n = null;
        if (!out.isBlank()) {
            try {
                n = Json.MAPPER.readTree(out);
            } catch (IOException e) {
                throw new CniException(
                        CniException.PLUGIN_FAILURE,
                        type + " " + command + " wrote no JSON: " + LogText.quote(out.strip()));
            }
        }
        if (rc != 0) {
            String msg = n != null && n.has("msg") ? n.get("msg").asText() : "exit status " + rc;
            int code = n != null && n.path("code").canConvertToInt()
                    ? n.get("code").asInt()
                    : CniException.PLUGIN_FAILURE;
            throw new CniException(
                    code,
                    type + " " + command + ": " + LogText.quote(msg),
                    n != null ? n.path("details").asText("") : "");
        }
        return n;
    }
}
