package org.calicojava.libnetwork;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.calicojava.ipam.IpamException;
import org.calicojava.model.Json;
import org.calicojava.netlink.NetlinkException;
import org.calicojava.store.DatastoreException;
import org.calicojava.store.EtcdUnreachableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Docker's plugin protocol without the transport: a request path and JSON body in, a status and JSON body out.
 * Every failure becomes {@code {"Err": "..."}} with a message for the Docker user; one log line per request.
 */
public final class Plugin {
    private static final Logger LOG = LoggerFactory.getLogger(Plugin.class);
    public static final String CONTENT_TYPE = "application/vnd.docker.plugins.v1.1+json";

    /** An answer: HTTP status and JSON body. */
    public record Response(int status, String body) {}

    private final Map<String, Function<JsonNode, JsonNode>> routes = new LinkedHashMap<>();

    public Plugin(NetworkDriver net, IpamDriver ipam) {
        routes.put("/Plugin.Activate", req -> {
            var resp = Requests.object();
            resp.putArray("Implements").add("NetworkDriver").add("IpamDriver");
            return resp;
        });
        routes.put("/NetworkDriver.GetCapabilities", net::capabilities);
        routes.put("/NetworkDriver.CreateNetwork", net::createNetwork);
        routes.put("/NetworkDriver.DeleteNetwork", net::deleteNetwork);
        routes.put("/NetworkDriver.CreateEndpoint", net::createEndpoint);
        routes.put("/NetworkDriver.DeleteEndpoint", net::deleteEndpoint);
        routes.put("/NetworkDriver.EndpointOperInfo", net::endpointOperInfo);
        routes.put("/NetworkDriver.Join", net::join);
        routes.put("/NetworkDriver.Leave", net::leave);
        routes.put("/NetworkDriver.DiscoverNew", net::nothing);
        routes.put("/NetworkDriver.DiscoverDelete", net::nothing);
        routes.put("/NetworkDriver.ProgramExternalConnectivity", net::nothing);
        routes.put("/NetworkDriver.RevokeExternalConnectivity", net::nothing);
        routes.put("/NetworkDriver.AllocateNetwork", net::allocateNetwork);
        routes.put("/NetworkDriver.FreeNetwork", net::nothing);
        routes.put("/IpamDriver.GetCapabilities", ipam::capabilities);
        routes.put("/IpamDriver.GetDefaultAddressSpaces", ipam::defaultAddressSpaces);
        routes.put("/IpamDriver.RequestPool", ipam::requestPool);
        routes.put("/IpamDriver.ReleasePool", ipam::releasePool);
        routes.put("/IpamDriver.RequestAddress", ipam::requestAddress);
        routes.put("/IpamDriver.ReleaseAddress", ipam::releaseAddress);
    }

    public Map<String, Function<JsonNode, JsonNode>> routes() {
        return routes;
    }

    public Response handle(String method, String path, byte[] body) {
        long start = System.nanoTime();
        Requests.takeNote();
        Response r;
        try {
            r = dispatch(method, path, body);
        } catch (Throwable e) { // an Error (UnsatisfiedLinkError, OutOfMemoryError): still an answer, logged below
            r = error(500, "calico-java plugin error in " + path + ": " + e);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        String note = Requests.takeNote();
        if (r.status() == 200) {
            LOG.info("{} {} 200 {} ms{}", method, path, ms, note == null ? "" : ": " + note);
        } else {
            LOG.warn("{} {} {} {} ms: {}", method, path, r.status(), ms, r.body());
        }
        return r;
    }

    private Response dispatch(String method, String path, byte[] body) {
        Function<JsonNode, JsonNode> route = routes.get(path);
        if (route == null) {
            return error(404, "calico-java plugin: no such call " + path);
        }
        if (!method.equals("POST")) {
            return error(405, "calico-java plugin: " + path + " takes POST, not " + method);
        }
        JsonNode req;
        try {
            req = parse(body);
        } catch (JsonProcessingException e) {
            return error(400, "malformed JSON in " + path + ": " + e.getOriginalMessage());
        }
        if (!req.isObject()) {
            return error(400, "malformed request to " + path + ": expected a JSON object, got " + req.getNodeType());
        }
        try {
            return new Response(200, Json.MAPPER.writeValueAsString(route.apply(req)));
        } catch (PluginException e) {
            return error(e.status(), e.getMessage());
        } catch (IpamException e) {
            return error(500, e.getMessage());
        } catch (EtcdUnreachableException e) {
            return error(500, "calico-java cannot reach etcd: " + e.getMessage());
        } catch (DatastoreException e) {
            return error(500, "calico-java datastore error: " + e.getMessage());
        } catch (NetlinkException e) {
            return error(500, "calico-java kernel error: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return error(400, "bad request to " + path + ": " + e.getMessage());
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.error("{} failed", path, e);
            return error(500, "calico-java plugin error in " + path + ": " + e);
        }
    }

    private static JsonNode parse(byte[] body) throws JsonProcessingException {
        String text = body == null ? "" : new String(body, StandardCharsets.UTF_8).trim();
        if (text.isEmpty() || text.equals("null")) {
            return Requests.object();
        }
        return Json.MAPPER.readTree(text);
    }

    static Response error(int status, String message) {
        return new Response(status, Requests.object().put("Err", message).toString());
    }
}
