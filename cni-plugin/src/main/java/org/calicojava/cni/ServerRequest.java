package org.calicojava.cni;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.model.LogText;

/**
 * One call handed to the CNI server ({@link CniServer}), validated at the boundary: {@code POST /v1/network} (as
 * calico-java-cni) or {@code POST /v1/ipam} (as calico-java-ipam); the call's CNI environment in headers named as the
 * variables ({@code CNI_COMMAND}, {@code CNI_CONTAINERID}, {@code CNI_NETNS}, {@code CNI_IFNAME}, {@code CNI_ARGS},
 * {@code CNI_PATH}: each at most once, UTF-8, no control characters, {@value #MAX_VALUE} bytes at most; a missing
 * one is unset); the network configuration (the plugin's stdin) as the body. The values themselves are then checked
 * by the plugin's own code ({@link CniEnv#from}, {@link NetConf#parse}), as for a one-shot call.
 */
record ServerRequest(Cli.Kind kind, Map<String, String> cniEnv, byte[] stdin) {
    static final List<String> VARIABLES =
            List.of("CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH");
    static final int MAX_VALUE = 16 * 1024;

    ServerRequest {
        cniEnv = Map.copyOf(cniEnv);
    }

    /** A request that cannot be run, with the HTTP status and the CNI code to answer it with. */
    static final class Invalid extends Exception {
        final int status;
        final int code;

        Invalid(int status, int code, String msg) {
            super(msg);
            this.status = status;
            this.code = code;
        }
    }

    /**
     * @param headers every header of the request as (name, raw value) pairs, the raw value being the header's bytes
     *                as ISO-8859-1 characters (how the HTTP decoder hands them over)
     */
    static ServerRequest of(String method, String path, List<Map.Entry<String, String>> headers, byte[] body)
            throws Invalid {
        Cli.Kind kind = switch (path) {
            case "/v1/network" -> Cli.Kind.NETWORK;
            case "/v1/ipam" -> Cli.Kind.IPAM;
            default ->
                throw new Invalid(
                        404,
                        CniException.INVALID_ENVIRONMENT,
                        "no such endpoint: " + LogText.quote(path) + " (expected: POST /v1/network or /v1/ipam)");
        };
        if (!method.equals("POST")) {
            throw new Invalid(
                    405,
                    CniException.INVALID_ENVIRONMENT,
                    "method " + LogText.quote(method) + " on " + path + " (expected: POST)");
        }
        if (body.length > NetConf.MAX_BYTES) {
            throw new Invalid(
                    413, CniException.DECODE_FAILURE, "network configuration: over " + NetConf.MAX_BYTES + " bytes");
        }
        Map<String, String> env = new HashMap<>();
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey().toUpperCase(java.util.Locale.ROOT);
            if (!VARIABLES.contains(name)) {
                continue; // Host, Content-Length, ...: HTTP's own
            }
            if (env.containsKey(name)) {
                throw new Invalid(400, CniException.INVALID_ENVIRONMENT, name + " given twice");
            }
            env.put(name, value(name, h.getValue()));
        }
        return new ServerRequest(kind, env, body);
    }

    private static String value(String name, String raw) throws Invalid {
        if (raw.length() > MAX_VALUE) {
            throw new Invalid(400, CniException.INVALID_ENVIRONMENT, name + ": over " + MAX_VALUE + " bytes");
        }
        byte[] bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
        String v;
        try {
            v = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Invalid(400, CniException.INVALID_ENVIRONMENT, name + ": not UTF-8");
        }
        for (int i = 0; i < v.length(); i++) {
            if (Character.isISOControl(v.charAt(i))) {
                throw new Invalid(
                        400,
                        CniException.INVALID_ENVIRONMENT,
                        name + ": " + LogText.quote(v) + " (control characters are not allowed)");
            }
        }
        return v;
    }

    /**
     * The environment the plugin code sees: the server's own (etcd settings, HOSTNAME, PATH for delegated plugins)
     * without any CNI_* of its own, then the call's CNI_* variables.
     */
    Map<String, String> processEnv(Map<String, String> serverEnv) {
        Map<String, String> out = new HashMap<>();
        serverEnv.forEach((k, v) -> {
            if (!k.startsWith("CNI_")) {
                out.put(k, v);
            }
        });
        out.putAll(cniEnv);
        return out;
    }

    String command() {
        String c = cniEnv.getOrDefault("CNI_COMMAND", "");
        return List.of("ADD", "DEL", "CHECK", "VERSION", "STATUS", "GC").contains(c) ? c : "other";
    }
}
