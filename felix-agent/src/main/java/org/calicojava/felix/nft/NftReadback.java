package org.calicojava.felix.nft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.calicojava.netlink.NftTable;

/**
 * Reads our table into an {@link NftState}, from a netlink read ({@link #from}) or from
 * {@code nft -j list table inet calico} ({@link #parse}): each chain's rule comments ({@code cali:}
 * prefix removed; a rule without our comment reads as "" and so differs from any hash), set members in
 * {@link NftMembers} form, map elements as interface to goto target ("jump X" or other verdicts read as such, so
 * they differ from what we write), and each chain's rule handles.
 */
public final class NftReadback {
    /** Only {@link #parse} (nft -j, the nft binary fallback's read-back) needs databind: not loaded by a netlink agent. */
    private static final class Databind {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    private NftReadback() {}

    public static NftState parse(String json) {
        JsonNode root;
        try {
            root = Databind.JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "nft -j output: not JSON: " + e.getMessage().split("\n", 2)[0]);
        }
        NftState st = new NftState();
        Map<String, java.util.List<Long>> handles = new HashMap<>();
        for (JsonNode item : root.path("nftables")) {
            if (item.has("chain")) {
                st.chains.putIfAbsent(item.get("chain").path("name").asText(), new ArrayList<>());
            } else if (item.has("rule")) {
                JsonNode r = item.get("rule");
                String comment = r.path("comment").asText("");
                st.chains
                        .computeIfAbsent(r.path("chain").asText(), k -> new ArrayList<>())
                        .add(comment.startsWith("cali:") ? comment.substring(5) : "");
                handles.computeIfAbsent(r.path("chain").asText(), k -> new ArrayList<>())
                        .add(r.path("handle").asLong(-1));
            } else if (item.has("set")) {
                JsonNode s = item.get("set");
                Set<String> members = new HashSet<>();
                for (JsonNode e : s.path("elem")) {
                    members.add(element(e));
                }
                st.sets.put(s.path("name").asText(), members);
            } else if (item.has("map")) {
                JsonNode m = item.get("map");
                Map<String, String> elems = new HashMap<>();
                for (JsonNode e : m.path("elem")) {
                    elems.put(element(e.path(0)), verdict(e.path(1)));
                }
                st.maps.put(m.path("name").asText(), elems);
            }
        }
        handles.forEach((chain, hs) -> {
            if (hs.stream().allMatch(h -> h > 0)) {
                st.handles.put(chain, hs.stream().mapToLong(Long::longValue).toArray());
            }
        });
        return st;
    }

    /** The same state from a netlink read ({@link NftTable}; null: no table). */
    public static NftState from(NftTable t) {
        NftState st = new NftState();
        if (t == null) {
            return st;
        }
        t.chains()
                .forEach((name, comments) -> st.chains.put(
                        name,
                        new ArrayList<>(comments.stream()
                                .map(c -> c.startsWith("cali:") ? c.substring(5) : "")
                                .toList())));
        t.handles().forEach((chain, hs) -> { // never changed in place: a commit puts new arrays
            if (java.util.Arrays.stream(hs).allMatch(h -> h > 0)) { // as the kernel gives them; else unknown
                st.handles.put(chain, hs);
            }
        });
        for (NftTable.Set s : t.sets().values()) {
            if (s.isMap()) {
                Map<String, String> elems = new HashMap<>();
                for (NftTable.Element e : s.elements()) {
                    elems.put(
                            NftIntervals.name(e.key()),
                            e.hasVerdict() && e.verdictCode() == NftTable.Element.GOTO
                                    ? e.chain()
                                    : "verdict " + e.verdictCode() + (e.chain() == null ? "" : " " + e.chain()));
                }
                st.maps.put(s.name(), elems);
            } else {
                st.sets.put(
                        s.name(),
                        s.isInterval()
                                ? NftIntervals.members(s.elements())
                                : new HashSet<>(s.elements().stream()
                                        .map(e -> NftIntervals.address(e.key()))
                                        .toList()));
            }
        }
        return st;
    }

    private static String element(JsonNode e) {
        if (e.has("elem")) {
            return element(e.get("elem").path("val"));
        }
        if (e.isTextual() || e.isNumber()) {
            String v = e.asText();
            return v.matches("[0-9a-fA-F.:]+") && (v.contains(".") || v.contains(":")) ? NftMembers.canonical(v) : v;
        }
        if (e.has("prefix")) {
            return NftMembers.canonical(e.get("prefix").path("addr").asText() + "/"
                    + e.get("prefix").path("len").asInt());
        }
        if (e.has("range")) {
            return e.get("range").path(0).asText() + "-"
                    + e.get("range").path(1).asText();
        }
        return e.toString();
    }

    private static String verdict(JsonNode v) {
        if (v.has("goto")) {
            return v.get("goto").path("target").asText();
        }
        return v.toString();
    }
}
