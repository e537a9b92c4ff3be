package org.calicojava.model;

import java.util.List;
import java.util.Map;

/**
 * A datastore key parsed into what it names, its segments validated (names with {@link Names}, pool and block
 * keys as CIDRs, peer keys as addresses). The readers' side of {@link Keys}: felix, confd and the Docker driver
 * parse keys here rather than splitting them themselves. {@link #parse} returns null for a key outside the layout
 * it knows (other software's keys, keys of newer versions: ignored) and throws {@link IllegalArgumentException}
 * for a key of a known shape with a bad segment (skipped and reported, like a bad value). {@link #decode} reads the
 * value stored at such a key into its validated value.
 */
public sealed interface KeyPath {

    /**
     * The validated value stored at this key: a record for records, a list of tags, a map of labels, or the stripped
     * text of a config value. Throws {@link IllegalArgumentException} (one line) for a bad value.
     */
    Object decode(String value);

    /** {@code /v1/host/<host>/workload/<orch>/<workload>/endpoint/<id>}: a {@link WorkloadEndpoint}. */
    record Endpoint(String host, String orchestrator, String workload, String endpointId) implements KeyPath {
        public WorkloadEndpoint decode(String value) {
            return WorkloadEndpoint.read(value);
        }
    }

    /** {@code /v1/host/<host>/config/<name>}: a felix config value (text). */
    record HostConfig(String host, String name) implements KeyPath {
        public String decode(String value) {
            return configValue(value);
        }
    }

    /** {@code /v1/config/<name>}: a felix config value (text). */
    record GlobalConfig(String name) implements KeyPath {
        public String decode(String value) {
            return configValue(value);
        }
    }

    /** {@code /v1/policy/profile/<profile>/rules}: {@link ProfileRules}. */
    record ProfileRulesKey(String profile) implements KeyPath {
        public ProfileRules decode(String value) {
            return ProfileRules.read(value);
        }
    }

    /** {@code /v1/policy/profile/<profile>/tags}: a list of tag names, at most {@value #MAX_TAGS}. */
    record ProfileTags(String profile) implements KeyPath {
        public List<String> decode(String value) {
            List<String> tags =
                    Lists.bounded("profile tags", TagList.read(value).tags(), MAX_TAGS);
            tags.forEach(t -> Names.check("tag", t));
            return tags;
        }
    }

    /** {@code /v1/policy/profile/<profile>/labels}: {@link Labels}. */
    record ProfileLabels(String profile) implements KeyPath {
        public Map<String, String> decode(String value) {
            return Labels.check(LabelMap.read(value).labels());
        }
    }

    /** {@code /v1/policy/tier/<tier>/metadata}: {@link TierMetadata}. */
    record Tier(String tier) implements KeyPath {
        public TierMetadata decode(String value) {
            return TierMetadata.read(value);
        }
    }

    /** {@code /v1/policy/tier/<tier>/policy/<name>}: a {@link Policy}. */
    record TierPolicy(String tier, String name) implements KeyPath {
        public Policy decode(String value) {
            return Policy.read(value);
        }
    }

    /**
     * {@code /v1/ipam/v4|v6/pool/<cidr key form>}: an {@link IpPool} whose cidr is the key's. The key must be in
     * {@link Cidr#keyForm} (RFC 5952 text for IPv6), so one pool has one key. Every reader of pools goes through here:
     * felix, confd and {@link org.calicojava.ipam.Pools}.
     */
    record Pool(Cidr cidr) implements KeyPath {
        public IpPool decode(String value) {
            IpPool pool = IpPool.read(value);
            if (!pool.cidr().equals(cidr)) {
                throw new IllegalArgumentException("pool cidr " + pool.cidr() + " is stored under the key of " + cidr);
            }
            return pool;
        }
    }

    /** Tags of a profile: a JSON list of tag names, at most {@value #MAX_TAGS}. */
    int MAX_TAGS = 256;

    /** The key's meaning, or null when it is none that readers use. */
    static KeyPath parse(Keys keys, String key) {
        if (key == null) {
            return null;
        }
        if (key.startsWith(keys.hosts())) {
            String[] p = key.substring(keys.hosts().length()).split("/", -1);
            if (p.length == 6 && p[1].equals("workload") && p[4].equals("endpoint")) {
                return new Endpoint(
                        Names.check("host", p[0]),
                        Names.check("orchestrator", p[2]),
                        Names.check("workload", p[3]),
                        Names.check("endpoint", p[5]));
            }
            if (p.length == 3 && p[1].equals("config")) {
                return new HostConfig(Names.check("host", p[0]), Names.config(p[2]));
            }
            return null;
        }
        if (key.startsWith(keys.profiles())) {
            String[] p = key.substring(keys.profiles().length()).split("/", -1);
            if (p.length != 2) {
                return null;
            }
            return switch (p[1]) {
                case "rules" -> new ProfileRulesKey(Names.check("profile", p[0]));
                case "tags" -> new ProfileTags(Names.check("profile", p[0]));
                case "labels" -> new ProfileLabels(Names.check("profile", p[0]));
                default -> null;
            };
        }
        if (key.startsWith(keys.tiers())) {
            String[] p = key.substring(keys.tiers().length()).split("/", -1);
            if (p.length == 2 && p[1].equals("metadata")) {
                return new Tier(Names.check("tier", p[0]));
            }
            if (p.length == 3 && p[1].equals("policy")) {
                return new TierPolicy(Names.check("tier", p[0]), Names.check("policy", p[2]));
            }
            return null;
        }
        for (int v : new int[] {4, 6}) {
            String prefix = keys.pools(v);
            if (key.startsWith(prefix)) {
                String rest = key.substring(prefix.length());
                Cidr c = Cidr.parse(rest, true);
                if (c.version() != v || rest.contains("/")) {
                    throw new IllegalArgumentException(
                            "pool key: " + LogText.quote(rest) + " (expected: an IPv" + v + " CIDR with '-' for '/')");
                }
                if (!rest.equals(c.keyForm())) { // one pool, one key: 10.1.0.0-016 would be a second copy
                    throw new IllegalArgumentException("pool key: " + LogText.quote(rest) + " (expected: " + c.keyForm()
                            + ", the form every writer uses)");
                }
                return new Pool(c);
            }
        }
        if (key.startsWith(keys.felixConfigs())) {
            String rest = key.substring(keys.felixConfigs().length());
            return new GlobalConfig(Names.config(rest));
        }
        return null;
    }

    /** A felix config value: one line of printable text, at most 1024 characters (FelixConfig checks each name). */
    static String configValue(String value) {
        String v = value == null ? "" : value.strip();
        if (v.length() > 1024 || v.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException(
                    "config value: " + LogText.quote(v) + " (expected: one line of at most 1024 printable characters)");
        }
        return v;
    }

    /** A JSON list of strings (Jackson delegating creator), for profile tags. */
    record TagList(List<String> tags) {
        @com.fasterxml.jackson.annotation.JsonCreator(
                mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.DELEGATING)
        public TagList {
            tags = tags == null ? List.of() : tags;
        }

        /** A list of strings without databind ({@link LightJson#read}); anything else by databind. */
        static TagList read(String json) {
            return LightJson.read(json, TagList.class, TagList::plain);
        }

        /** The tags of a plain document's root; throws for another shape (see {@link #read}). */
        static TagList plain(Object root) {
            return new TagList(LightJson.list(root, MAX_TAGS, LightJson::string));
        }
    }

    /** A JSON object of string values (Jackson delegating creator), for labels. */
    record LabelMap(Map<String, String> labels) {
        @com.fasterxml.jackson.annotation.JsonCreator(
                mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.DELEGATING)
        public LabelMap {
            labels = labels == null ? Map.of() : labels;
        }

        /** An object of strings without databind ({@link LightJson#read}); anything else by databind. */
        static LabelMap read(String json) {
            return LightJson.read(json, LabelMap.class, LabelMap::plain);
        }

        /** The labels of a plain document's root; throws for another shape (see {@link #read}). */
        static LabelMap plain(Object root) {
            return new LabelMap(LightJson.strings(root));
        }
    }
}
