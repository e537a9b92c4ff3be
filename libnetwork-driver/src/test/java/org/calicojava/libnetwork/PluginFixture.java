package org.calicojava.libnetwork;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;

/** A plugin over an in-memory store and fake dataplane, called like Docker calls it. */
class PluginFixture {
    static final String HOST = "host-a";
    static final String NET = "c1" + "0".repeat(62);
    static final String EP = "abcdef0123456789" + "e".repeat(48);

    final MemoryStore store = new MemoryStore();
    final FakeDataplane dataplane = new FakeDataplane();
    final Keys keys = new Keys("/t");
    final Plugin plugin =
            new Plugin(new NetworkDriver(store, keys, HOST, dataplane), new IpamDriver(store, keys, HOST));

    /** A fresh id as Docker makes them: 64 lowercase hex characters. */
    static String dockerId() {
        return (java.util.UUID.randomUUID().toString() + java.util.UUID.randomUUID()).replace("-", "");
    }

    Plugin.Response raw(String path, String body) {
        return plugin.handle("POST", path, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Calls and expects 200. */
    JsonNode ok(String path, String body) {
        Plugin.Response r = raw(path, body);
        if (r.status() != 200) {
            throw new AssertionError(path + " answered " + r.status() + " " + r.body());
        }
        return Json.read(r.body(), JsonNode.class);
    }

    /** Calls and expects {@code status}; returns the Err text. */
    String err(int status, String path, String body) {
        Plugin.Response r = raw(path, body);
        if (r.status() != status) {
            throw new AssertionError(path + " answered " + r.status() + " " + r.body() + " (expected " + status + ")");
        }
        return Json.read(r.body(), JsonNode.class).get("Err").asText();
    }

    void pool(String cidr, int blockSize) {
        store.put(
                keys.pools(cidr.contains(":") ? 6 : 4) + cidr.replace('/', '-'),
                "{\"cidr\":\"" + cidr + "\",\"block_size\":" + blockSize + "}");
    }
}
