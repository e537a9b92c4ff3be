package org.calicojava.ipam;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.TreeMap;

/** {@code /calico/ipam/v2/handle/<id>} = {"handleID":"x","block":{"10.1.0.64/26":2}}: how many addresses per block. */
public record IpamHandle(
        @JsonProperty("handleID") String handleId,
        @JsonProperty("block") Map<String, Integer> block) {
    public IpamHandle {
        if (block != null) {
            for (Map.Entry<String, Integer> e : block.entrySet()) {
                // every release parses these: a bad one would fail each release and CNI DEL of the handle
                org.calicojava.model.Cidr.parse(e.getKey(), true);
                if (e.getValue() == null || e.getValue() < 0) {
                    throw new IllegalArgumentException("handle " + org.calicojava.model.LogText.quote(handleId)
                            + ": count " + e.getValue() + " for block " + e.getKey() + " (expected: 0 or more)");
                }
            }
        }
        block = block == null ? Map.of() : Map.copyOf(block);
    }

    public IpamHandle plus(String blockCidr, int delta) {
        Map<String, Integer> m = new TreeMap<>(block);
        int n = m.getOrDefault(blockCidr, 0) + delta;
        if (n <= 0) {
            m.remove(blockCidr);
        } else {
            m.put(blockCidr, n);
        }
        return new IpamHandle(handleId, m);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isEmpty() {
        return block.isEmpty();
    }
}
