package org.calicojava.ctl.explain;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules felix programmed on this host as the kernel reports them, keyed by chain and rule hash (the
 * {@code cali:HASH} comment every felix rule carries), with each rule's packet counter when the backend keeps one:
 * {@code iptables-save -c} output (iptables backend) or the hashes of {@code nft -j list table inet calico}
 * (nftables backend: felix's nft rules carry no counters). Parsing only; reading the kernel is the caller's. Pure.
 */
public final class LiveRules {
    private static final Pattern SAVE_RULE =
            Pattern.compile("^\\[(\\d+):(\\d+)] -A (\\S+) .*--comment \"?cali:([A-Za-z0-9_\\-]+)\"?.*$");
    private static final Pattern NFT_RULE = Pattern.compile(
            "\"rule\":\\s*\\{[^{}]*?\"chain\":\\s*\"([^\"]+)\"[^{}]*?\"comment\":\\s*\"cali:([A-Za-z0-9_\\-]+)\"");

    /** A rule's counter: packets, or -1 when the backend keeps none. */
    private final Map<String, Long> packets = new HashMap<>();

    private final String source;

    private LiveRules(String source) {
        this.source = source;
    }

    /** From {@code iptables-save -c} text. */
    public static LiveRules fromSave(String text, String source) {
        LiveRules l = new LiveRules(source);
        for (String line : text.split("\n")) {
            Matcher m = SAVE_RULE.matcher(line);
            if (m.matches()) {
                l.packets.put(m.group(3) + " " + m.group(4), Long.parseLong(m.group(1)));
            }
        }
        return l;
    }

    /** From {@code nft -j list table inet calico} text (felix's chain names are the same as its iptables ones). */
    public static LiveRules fromNftJson(String text, String source) {
        LiveRules l = new LiveRules(source);
        Matcher m = NFT_RULE.matcher(text);
        while (m.find()) {
            l.packets.put(m.group(1) + " " + m.group(2), -1L);
        }
        return l;
    }

    public boolean isEmpty() {
        return packets.isEmpty();
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
