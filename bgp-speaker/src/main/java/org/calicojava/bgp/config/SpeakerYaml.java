package org.calicojava.bgp.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.RecordComponent;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * The shape of the speaker's one YAML file, one record per mapping: the keys each mapping may have, shared by the
 * session loader ({@link ConfigLoader}) and the routing loader ({@code rib.RoutingConfigLoader}), which validate the
 * values. Keys marked {@link Routing} belong to the routing loader: accepted everywhere, listed only in its messages.
 * Also the one YAML mapper both loaders read with.
 */
public final class SpeakerYaml {
    /** Floats kept as exact decimals, so an unquoted asdot {@code 1.10} keeps its trailing zero. */
    public static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    private SpeakerYaml() {}

    /** A key of a session mapping that the routing loader reads. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface Routing {}

    /** The top level. */
    public record Document(JsonNode routerId, JsonNode asNumber, JsonNode listen, JsonNode holdTime, JsonNode neighbors,
                           JsonNode originate, JsonNode connectRetryTime, JsonNode idleHoldTime, JsonNode nextHop,
                           @Routing JsonNode policies, @Routing JsonNode routeReflector, @Routing JsonNode multipath,
                           @Routing JsonNode alwaysCompareMed, @Routing JsonNode kernel, @Routing JsonNode controlSocket,
                           @Routing JsonNode metrics, @Routing JsonNode maxStaleRoutesTime) {}

    /** {@code listen}. */
    public record Listen(JsonNode address, JsonNode port) {}

    /** {@code nextHop} at the top level. */
    public record NextHop(JsonNode ipv4, JsonNode ipv6) {}

    /** One of {@code neighbors}. */
    public record Neighbor(JsonNode address, JsonNode asNumber, JsonNode passive, JsonNode password, JsonNode holdTime,
                           JsonNode ttlSecurity, JsonNode addPath, JsonNode gracefulRestart, JsonNode port, JsonNode maxPrefixes,
                           @Routing @JsonProperty("import") JsonNode importPolicies, @Routing @JsonProperty("export") JsonNode exportPolicies,
                           @Routing JsonNode rrClient, @Routing JsonNode allowOwnAs, @Routing JsonNode nextHop,
                           JsonNode bfd) {}  // bfd: read by bfd.BfdConfigLoader

    /** A neighbour's {@code gracefulRestart}. */
    public record GracefulRestart(JsonNode restartTime) {}

    /** A neighbour's {@code maxPrefixes}. */
    public record MaxPrefixes(JsonNode limit, JsonNode action, JsonNode restartAfter) {}

    /** {@code routeReflector}. */
    public record RouteReflector(JsonNode clusterId) {}

    /** {@code metrics}. */
    public record Metrics(JsonNode port, JsonNode host) {}

    /** {@code controlSocket} as a mapping (it may also be a path). */
    public record ControlSocket(JsonNode path, JsonNode group, JsonNode maxClients, JsonNode maxLineLength) {}

    /** {@code kernel}. */
    public record Kernel(JsonNode enabled, JsonNode table, JsonNode protocol, JsonNode learnProtocols,
                         @JsonProperty("import") JsonNode importPolicies, @JsonProperty("export") JsonNode exportPolicies, JsonNode blackholes) {}

    /** One term of a policy. */
    public record Term(JsonNode match, JsonNode action, JsonNode set) {}

    /** A term's {@code match}. */
    public record Match(JsonNode prefixes, JsonNode communities, JsonNode largeCommunities, JsonNode asPath, JsonNode nextHop,
                        JsonNode origin, JsonNode source) {}

    /** A term's {@code set}. */
    public record Actions(JsonNode localPref, JsonNode med, JsonNode communities, JsonNode largeCommunities, JsonNode prepend) {}

    /** {@code communities} or {@code largeCommunities} under {@code set}. */
    public record Change(JsonNode add, JsonNode remove) {}

    /** The keys a mapping of {@code shape} may have (with {@code session}: those the session loader names in its messages). */
    public static Set<String> keys(Class<? extends Record> shape, boolean session) {
        Set<String> out = new LinkedHashSet<>();
        for (RecordComponent c : shape.getRecordComponents()) {
            if (session && c.isAnnotationPresent(Routing.class)) {
                continue;
            }
            JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);  // the component passes it to its accessor
            out.add(p != null ? p.value() : c.getName());
        }
        return out;
    }

    /**
     * Refuses {@code n} unless it is a mapping with only the keys of {@code shape}: {@code "KEY: unknown key (expected
     * one of: ...)"}, naming the keys of its loader ({@code session}: the session loader, without the routing keys).
     */
    public static void checkKeys(String prefix, JsonNode n, Class<? extends Record> shape, boolean session) {
        if (!n.isObject()) {
            throw new ConfigException((prefix.isEmpty() ? "config" : prefix.substring(0, prefix.length() - 1))
                    + ": " + n.getNodeType() + " (expected: a mapping)");
        }
        Set<String> allowed = keys(shape, false);
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new ConfigException(prefix + k + ": unknown key (expected one of: " + String.join(", ", new TreeSet<>(keys(shape, session))) + ")");
            }
        }
    }
}
