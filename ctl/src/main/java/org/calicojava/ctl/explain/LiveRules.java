package org.calicojava.ctl.explain;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.calicojava.model.Json;

/**
 * The rules felix programmed on this host as the kernel reports them, keyed by chain and rule hash (the
 * {@code cali:HASH} comment every felix rule carries), with each rule's packet counter when the backend keeps one:
 * {@code iptables-save -c} output (iptables backend) or the hashes of {@code nft -j list table inet calico}
 * (nftables backend: felix's nft rules carry no counters). Parsing only; reading the kernel is the caller's. Pure.
 */
public final class LiveRules {
    private static final Pattern SAVE_RULE =
            Pattern.compile("^\\[(\\d+):(\\d+)] -A (\\S+) .*--comment \"?cali:([A-Za-z0-9_\\-]+)\"?.*$");
    private static final Pattern NFT_COMMENT = Pattern.compile("cali:([A-Za-z0-9_\\-]+)");

    /** A rule's counter: packets, or -1 when the backend keeps none. */
    private final Map<String, Long> packets = new HashMap<>();
    /** nftables: "CHAIN TARGET FAMILY" of each felix goto rule (family 0: both), "MAP KEY TARGET" of map elements. */
    private final Set<String> gotos = new HashSet<>();

    private final Set<String> mapGotos = new HashSet<>();

    private final String source;
    private final boolean nftables;

    private LiveRules(String source, boolean nftables) {
        this.source = source;
        this.nftables = nftables;
    }

    /** From {@code iptables-save -c} text. */
    public static LiveRules fromSave(String text, String source) {
        LiveRules l = new LiveRules(source, false);
        for (String line : text.split("\n")) {
            Matcher m = SAVE_RULE.matcher(line);
            if (m.matches()) {
                l.packets.put(m.group(3) + " " + m.group(4), Long.parseLong(m.group(1)));
            }
        }
        return l;
    }

    /**
     * From {@code nft -j list table inet calico} text: keyed by the nft chain that holds each rule (felix's model
     * chain, its family chain {@code NAME/4}, or an endpoint's shared body; see {@code NftPlacement}), with the
     * {@code goto} rules (the way into those chains, with the family a {@code meta nfproto} match limits them to)
     * and the elements of the verdict maps. Text that is not nft's JSON gives no rules.
     */
    public static LiveRules fromNftJson(String text, String source) {
        LiveRules l = new LiveRules(source, true);
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(text);
        } catch (IOException notJson) {
            return l;
        }
        for (JsonNode item : root == null ? Json.MAPPER.createArrayNode() : root.path("nftables")) {
            l.rule(item.path("rule"));
            l.map(item.path("map"));
        }
        return l;
    }

    private void rule(JsonNode rule) {
        Matcher m = NFT_COMMENT.matcher(rule.path("comment").asText(""));
        if (!rule.path("chain").isTextual() || !m.matches()) {
            return;
        }
        String chain = rule.path("chain").asText();
        packets.put(chain + " " + m.group(1), -1L);
        int family = 0; // 0: both
        String target = null;
        for (JsonNode e : rule.path("expr")) {
            JsonNode match = e.path("match");
            if ("nfproto".equals(match.path("left").path("meta").path("key").asText(null))) {
                String to = match.path("op").asText("==").equals("==")
                        ? match.path("right").asText("")
                        : "";
                family = to.equals("ipv4") ? 4 : to.equals("ipv6") ? 6 : -1;
            }
            if (e.path("goto").path("target").isTextual()) {
                target = e.path("goto").path("target").asText();
            }
        }
        if (target != null && family >= 0) {
            gotos.add(chain + " " + target + " " + family);
        }
    }

    private void map(JsonNode map) {
        for (JsonNode element : map.path("elem")) { // ["caliA", {"goto": {"target": "cali-fw-caliA"}}]
            JsonNode target = element.path(1).path("goto").path("target");
            if (map.path("name").isTextual() && element.path(0).isTextual() && target.isTextual()) {
                mapGotos.add(map.path("name").asText() + " " + element.path(0).asText() + " " + target.asText());
            }
        }
    }

    /** Whether a felix rule of nft chain {@code chain} goes to {@code target} for IPv{@code version} packets. */
    public boolean goesTo(String chain, String target, int version) {
        return gotos.contains(chain + " " + target + " 0") || gotos.contains(chain + " " + target + " " + version);
    }

    /** Whether verdict map {@code map} has the element {@code key : goto target}. */
    public boolean mapGoesTo(String map, String key, String target) {
        return mapGotos.contains(map + " " + key + " " + target);
    }

    public boolean isEmpty() {
        return packets.isEmpty();
    }

    /** Whether these are felix's nftables rules (hashed over their nft chain and text), not iptables ones. */
    public boolean nftables() {
        return nftables;
    }

    /** Where the rules were read ("iptables-save -c", ...). */
    public String source() {
        return source;
    }

    /** The rule of {@code chain} with {@code hash}: its packets (-1: no counter); empty when it is not programmed. */
    public OptionalLong packets(String chain, String hash) {
        Long p = packets.get(chain + " " + hash);
        return p == null ? OptionalLong.empty() : OptionalLong.of(p);
    }

    /** Every chain these rules name (for "is felix's ruleset here at all"). */
    public long size() {
        return packets.size();
    }

    static List<String> keys(LiveRules l) {
        return List.copyOf(l.packets.keySet());
    }
}
