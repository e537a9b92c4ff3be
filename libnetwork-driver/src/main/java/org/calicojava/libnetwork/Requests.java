package org.calicojava.libnetwork;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.regex.Pattern;
import org.calicojava.model.Cidr;
import org.calicojava.model.LogText;

/** Reading fields of Docker's plugin requests (JSON objects with Go-style capitalised names). */
final class Requests {
    private Requests() {}

    private static final ThreadLocal<String> NOTE = new ThreadLocal<>();

    /**
     * What a handler did, for the one log line of its request: {@code note("address {} assigned", ip)}, with
     * SLF4J-style {} placeholders.
     */
    static void note(String format, Object... args) {
        StringBuilder sb = new StringBuilder();
        int from = 0;
        for (Object a : args) {
            int at = format.indexOf("{}", from);
            if (at < 0) {
                break;
            }
            sb.append(format, from, at).append(a);
            from = at + 2;
        }
        NOTE.set(sb.append(format.substring(from)).toString());
    }

    /** The note of the request handled on this thread (cleared). */
    static String takeNote() {
        String n = NOTE.get();
        NOTE.remove();
        return n;
    }

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** A required, non-empty string field; 400 if missing. */
    static String required(JsonNode req, String field) {
        String v = optional(req, field);
        if (v.isEmpty()) {
            throw PluginException.badRequest("missing field " + field);
        }
        return v;
    }

    /** A string field, "" when absent or null. */
    static String optional(JsonNode req, String field) {
        JsonNode n = req.get(field);
        if (n == null || n.isNull()) {
            return "";
        }
        if (!n.isTextual()) {
            throw PluginException.badRequest("field " + field + ": " + n + " (expected: a string)");
        }
        return n.asText().trim();
    }

    /** An object field, an empty object when absent or null. */
    static JsonNode child(JsonNode req, String field) {
        JsonNode n = req.get(field);
        if (n == null || n.isNull()) {
            return object();
        }
        if (!n.isObject()) {
            throw PluginException.badRequest("field " + field + ": " + n + " (expected: an object)");
        }
        return n;
    }

    /** The address of "10.1.0.5" or "10.1.0.5/32" (any prefix length) as a host CIDR. */
    static Cidr hostAddress(String text) {
        int slash = text.indexOf('/');
        return Cidr.host(slash < 0 ? text : text.substring(0, slash));
    }

    private static final Pattern DOCKER_ID = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SWARM_ID = Pattern.compile("[0-9a-z]{25}");

    /**
     * Docker's endpoint id: 64 lowercase hex characters (moby's {@code stringid.GenerateRandomID}, for local and swarm
     * networks alike); 400 otherwise. The veth name is made of its first 11 characters, so nothing else is accepted.
     */
    static String endpointId(JsonNode req) {
        String id = required(req, "EndpointID");
        if (!DOCKER_ID.matcher(id).matches()) {
            throw PluginException.badRequest("EndpointID: " + LogText.quote(id)
                    + " is not a Docker endpoint id (expected: 64 lowercase hex characters)");
        }
        return id;
    }

    /**
     * Docker's network id: 64 lowercase hex characters (a network of this engine, {@code stringid}), or 25 of
     * {@code [0-9a-z]} (a swarm-scoped network, swarmkit's {@code identity.NewID}, with {@code --scope global}); 400
     * otherwise. {@code required} false: "" when absent.
     */
    static String networkId(JsonNode req, boolean required) {
        String id = required ? required(req, "NetworkID") : optional(req, "NetworkID");
        if (!id.isEmpty()
                && !DOCKER_ID.matcher(id).matches()
                && !SWARM_ID.matcher(id).matches()) {
            throw PluginException.badRequest("NetworkID: " + LogText.quote(id)
                    + " is not a Docker network id (expected: 64 lowercase hex characters, or 25 of [0-9a-z] for a "
                    + "swarm network)");
        }
        return id;
    }
}
