package org.calicojava.cni;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
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
    static final long TIMEOUT_SECONDS = 60;
    static final String TIMEOUT_ENV = "CALICO_JAVA_CNI_PLUGIN_TIMEOUT";

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

    /**
     * Runs {@code type} with {@code command}; returns its parsed stdout (null when empty, as DEL's). Its stdin, stdout
     * and stderr are files in a private temporary directory, not pipes: a plugin (or a child it leaves behind) that
     * keeps them open cannot block this call. A plugin still running after the timeout is killed with its descendants.
     */
    static JsonNode run(String type, String command, List<Path> cniPath, Map<String, String> env, byte[] stdin) {
        Path exe = find(type, cniPath);
        long timeout = timeoutSeconds(env);
        String out;
        int rc;
        Path dir = null;
        try {
            dir = Files.createTempDirectory("calico-java-cni-exec-");
            Path in = Files.write(dir.resolve("stdin"), stdin);
            Path outFile = dir.resolve("stdout");
            Path errFile = dir.resolve("stderr");
            ProcessBuilder pb = new ProcessBuilder(exe.toString())
                    .redirectInput(in.toFile())
                    .redirectOutput(outFile.toFile())
                    .redirectError(errFile.toFile());
            pb.environment().putAll(env);
            pb.environment().put("CNI_COMMAND", command);
            Process p = pb.start();
            try {
                if (!p.waitFor(timeout, TimeUnit.SECONDS)) {
                    kill(p);
                    throw new CniException(
                            CniException.PLUGIN_FAILURE,
                            type + " " + command + ": no answer in " + timeout + " s (killed)");
                }
            } catch (InterruptedException e) {
                kill(p);
                Thread.currentThread().interrupt();
                throw new CniException(CniException.PLUGIN_FAILURE, type + " " + command + ": interrupted");
            } finally {
                relayStderr(errFile);
            }
            rc = p.exitValue();
            if (Files.size(outFile) > NetConf.MAX_BYTES) {
                throw new CniException(
                        CniException.PLUGIN_FAILURE,
                        type + " " + command + ": over " + NetConf.MAX_BYTES + " bytes on stdout");
            }
            out = Files.readString(outFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CniException(CniException.IO_FAILURE, type + " " + command + ": " + e.getMessage());
        } finally {
            deleteAll(dir);
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

    /** {@code CALICO_JAVA_CNI_PLUGIN_TIMEOUT}: seconds a delegated plugin may take (1-3600, default 60). */
    static long timeoutSeconds(Map<String, String> env) {
        String t = env.get(TIMEOUT_ENV);
        if (t == null || t.isBlank()) {
            return TIMEOUT_SECONDS;
        }
        if (t.matches("[0-9]{1,4}") && Integer.parseInt(t) >= 1 && Integer.parseInt(t) <= 3600) {
            return Integer.parseInt(t);
        }
        throw new CniException(
                CniException.INVALID_ENVIRONMENT,
                TIMEOUT_ENV + ": " + LogText.quote(t) + " (expected: whole seconds, 1-3600)");
    }

    /** Kills the plugin and whatever it started (children first, while they are still its descendants). */
    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The plugin's stderr goes where it went when it was inherited: this process's stderr (at most 64 KiB). */
    private static void relayStderr(Path errFile) {
        try (InputStream e = Files.newInputStream(errFile)) {
            byte[] b = e.readNBytes(64 * 1024);
            if (b.length > 0) {
                System.err.write(b);
                System.err.flush();
            }
        } catch (IOException e) {
            // nothing to relay
        }
    }

    private static void deleteAll(Path dir) {
        if (dir == null) {
            return;
        }
        for (String f : List.of("stdin", "stdout", "stderr")) {
            try {
                Files.deleteIfExists(dir.resolve(f));
            } catch (IOException e) {
                // best effort
            }
        }
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // best effort
        }
    }
}
