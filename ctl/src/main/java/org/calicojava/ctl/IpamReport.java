package org.calicojava.ctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.calicojava.ipam.AllocationBlock;
import org.calicojava.ipam.IpamHandle;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.model.LogText;
import org.calicojava.model.Names;

/**
 * The report {@code ipam check -o FILE} writes and {@code ipam release --from-report FILE} reads: a JSON object (format
 * {@value #FORMAT}, version {@value #VERSION}) with when it was made, the etcd cluster id, the key root and the revision
 * of the snapshot the check read, the counts, and each problem row ({@code kind}, {@code subject}, {@code detail}); a
 * leaked address's row also has its {@code allocation}: {@code address}, {@code block}, {@code handle} (or null),
 * {@code attributes}. The file is untrusted when it is read back: {@link #parse} takes nothing it does not check (exact
 * field sets, no duplicate field, types, the version, every address, block and handle through etcd-schema's validators,
 * each address once and inside its block, the counts against the rows) and answers anything else with one line.
 */
record IpamReport(
        Instant created,
        String clusterId,
        String prefix,
        long revision,
        int allocated,
        int inUse,
        List<IpamCheck.Problem> problems) {
    static final String FORMAT = "javactl-ipam-check-report";
    static final int VERSION = 1;
    /** The largest report read: about 200,000 leaked addresses. */
    static final long MAX_BYTES = 64L << 20;

    IpamReport {
        problems = List.copyOf(problems);
    }

    /** The allocations of the leaked rows, in report order. */
    List<IpamCheck.Allocation> leaked() {
        return problems.stream()
                .filter(p -> p.allocation() != null)
                .map(IpamCheck.Problem::allocation)
                .toList();
    }

    String toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("created", created.toString());
        root.put("etcdClusterId", clusterId);
        root.put("prefix", prefix);
        root.put("revision", revision);
        ObjectNode counts = root.putObject("counts");
        counts.put("allocated", allocated);
        counts.put("inUse", inUse);
        counts.put("problems", problems.size());
        counts.put("leaked", leaked().size());
        ArrayNode rows = root.putArray("problems");
        for (IpamCheck.Problem p : problems) {
            ObjectNode row = rows.addObject();
            row.put("kind", p.kind());
            row.put("subject", p.subject());
            row.put("detail", p.detail());
            IpamCheck.Allocation a = p.allocation();
            if (a != null) {
                ObjectNode o = row.putObject("allocation");
                o.put("address", a.address().ip());
                o.put("block", a.block().toString());
                o.put("handle", a.handle());
                ObjectNode attrs = o.putObject("attributes");
                new TreeMap<>(a.attributes()).forEach(attrs::put);
            }
        }
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report", e);
        }
    }

    private static final Set<String> TOP =
            Set.of("format", "version", "created", "etcdClusterId", "prefix", "revision", "counts", "problems");
    private static final Set<String> COUNTS = Set.of("allocated", "inUse", "problems", "leaked");
    private static final Set<String> ROW = Set.of("kind", "subject", "detail");
    private static final Set<String> LEAKED_ROW = Set.of("kind", "subject", "detail", "allocation");
    private static final Set<String> ALLOCATION = Set.of("address", "block", "handle", "attributes");

    /**
     * A report from its text, every field checked; {@link IllegalArgumentException} with one line naming the first bad
     * field otherwise (the JSON path, e.g. {@code problems[3].allocation.block: ...}).
     */
    static IpamReport parse(String text) {
        JsonNode root;
        try {
            root = Json.MAPPER
                    .reader()
                    .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + LogText.quote(firstLine(e.getOriginalMessage())));
        }
        if (root == null || root.isMissingNode()) {
            throw new IllegalArgumentException("not JSON: empty");
        }
        fields(root, "", TOP);
        if (!FORMAT.equals(text(root, "format"))) {
            throw bad("format", LogText.quote(root.get("format").asText()) + " (expected: " + FORMAT + ")");
        }
        JsonNode v = root.get("version");
        if (!v.isInt() || v.intValue() != VERSION) {
            throw bad("version", LogText.quote(v.toString()) + " (expected: " + VERSION + ")");
        }
        Instant created;
        try {
            created = Instant.parse(text(root, "created"));
        } catch (DateTimeParseException e) {
            throw bad("created", LogText.quote(text(root, "created")) + " (expected: an ISO-8601 instant)");
        }
        String cluster = text(root, "etcdClusterId");
        if (!cluster.matches("[0-9a-f]{1,16}")) {
            throw bad("etcdClusterId", LogText.quote(cluster) + " (expected: etcd's cluster id, 1-16 hex digits)");
        }
        String prefix = text(root, "prefix");
        try {
            if (!new Keys(prefix).root().equals(prefix)) {
                throw new IllegalArgumentException(
                        LogText.quote(prefix) + " (expected: " + new Keys(prefix).root() + ")");
            }
        } catch (IllegalArgumentException e) {
            throw bad("prefix", e.getMessage());
        }
        long revision = number(root, "", "revision", 1, Long.MAX_VALUE);
        JsonNode counts = root.get("counts");
        fields(counts, "counts.", COUNTS);
        int allocated = (int) number(counts, "counts.", "allocated", 0, Integer.MAX_VALUE);
        int inUse = (int) number(counts, "counts.", "inUse", 0, Integer.MAX_VALUE);
        JsonNode rows = root.get("problems");
        if (!rows.isArray()) {
            throw bad("problems", "not a list");
        }
        List<IpamCheck.Problem> problems = new ArrayList<>();
        Set<Cidr> addresses = new HashSet<>();
        for (int i = 0; i < rows.size(); i++) {
            IpamCheck.Problem p = row(rows.get(i), "problems[" + i + "].");
            if (p.allocation() != null && !addresses.add(p.allocation().address())) {
                throw bad("problems[" + i + "].allocation.address", p.subject() + " is listed twice");
            }
            problems.add(p);
        }
        if (number(counts, "counts.", "problems", 0, Integer.MAX_VALUE) != problems.size()
                || number(counts, "counts.", "leaked", 0, Integer.MAX_VALUE) != addresses.size()) {
            throw bad(
                    "counts",
                    "they do not match the rows (" + problems.size() + " problems, " + addresses.size() + " leaked)");
        }
        return new IpamReport(created, cluster, prefix, revision, allocated, inUse, problems);
    }

    private static IpamCheck.Problem row(JsonNode row, String at) {
        if (!row.isObject() || !row.has("kind")) {
            throw bad(at.substring(0, at.length() - 1), "not a problem row (expected: kind, subject, detail)");
        }
        String kind = text(row, at, "kind");
        if (!IpamCheck.KINDS.contains(kind)) {
            throw bad(at + "kind", LogText.quote(kind) + " (expected one of: " + new TreeSet<>(IpamCheck.KINDS) + ")");
        }
        boolean leaked = kind.equals(IpamCheck.LEAKED);
        fields(row, at, leaked ? LEAKED_ROW : ROW);
        String subject = text(row, at, "subject");
        String detail = text(row, at, "detail");
        if (!leaked) {
            return new IpamCheck.Problem(kind, subject, detail);
        }
        JsonNode a = row.get("allocation");
        String in = at + "allocation.";
        fields(a, in, ALLOCATION);
        Cidr address = address(text(a, in, "address"), in + "address");
        if (!subject.equals(address.ip())) {
            throw bad(
                    at + "subject",
                    LogText.quote(subject) + " (expected: its allocation's address " + address.ip() + ")");
        }
        Cidr block = block(text(a, in, "block"), address, in + "block");
        JsonNode h = a.get("handle");
        String handle = h.isNull() ? null : handle(text(a, in, "handle"), block, in + "handle");
        JsonNode attrs = a.get("attributes");
        if (!attrs.isObject()) {
            throw bad(in + "attributes", "not an object of text values");
        }
        Map<String, String> attributes = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = attrs.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw bad(in + "attributes", LogText.quote(e.getKey()) + ": not text");
            }
            attributes.put(e.getKey(), e.getValue().textValue());
        }
        return new IpamCheck.Problem(
                kind, subject, detail, new IpamCheck.Allocation(address, block, handle, attributes));
    }

    /** An address, written as it is printed (so a report means one address one way). */
    private static Cidr address(String text, String at) {
        Cidr ip;
        try {
            ip = Cidr.host(text);
        } catch (IllegalArgumentException e) {
            throw bad(at, e.getMessage());
        }
        if (!ip.ip().equals(text)) {
            throw bad(at, LogText.quote(text) + " (expected: " + ip.ip() + ")");
        }
        return ip;
    }

    /** A block: a CIDR in its printed form, host bits zero, of a block's size, holding {@code address}. */
    private static Cidr block(String text, Cidr address, String at) {
        try {
            Cidr block = Cidr.parse(text, true);
            if (!block.toString().equals(text)) {
                throw new IllegalArgumentException(LogText.quote(text) + " (expected: " + block + ")");
            }
            AllocationBlock.checkSize(block);
            if (block.version() != address.version() || !block.contains(address)) {
                throw new IllegalArgumentException(address.ip() + " is not in block " + block);
            }
            return block;
        } catch (IllegalArgumentException e) {
            throw bad(at, e.getMessage());
        }
    }

    /** A handle: a name IPAM could store a record under, with a record for {@code block} (IpamHandle's checks). */
    private static String handle(String text, Cidr block, String at) {
        try {
            Names.check("handle", text);
            new IpamHandle(text, Map.of(block.toString(), 1));
            return text;
        } catch (IllegalArgumentException e) {
            throw bad(at, e.getMessage());
        }
    }

    /** The object's fields are exactly {@code expected}. */
    private static void fields(JsonNode node, String at, Set<String> expected) {
        if (node == null || !node.isObject()) {
            throw bad(at.isEmpty() ? "report" : at.substring(0, at.length() - 1), "not an object");
        }
        Set<String> seen = new TreeSet<>();
        node.fieldNames().forEachRemaining(seen::add);
        for (String f : seen) {
            if (!expected.contains(f)) {
                throw bad(
                        at.isEmpty() ? "report" : at.substring(0, at.length() - 1),
                        "unknown field " + LogText.quote(f) + " (expected: " + new TreeSet<>(expected) + ")");
            }
        }
        for (String f : new TreeSet<>(expected)) {
            if (!seen.contains(f)) {
                throw bad(at + f, "missing");
            }
        }
    }

    private static String text(JsonNode node, String field) {
        return text(node, "", field);
    }

    private static String text(JsonNode node, String at, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw bad(at + field, "not text");
        }
        return v.textValue();
    }

    private static long number(JsonNode node, String at, String field, long min, long max) {
        JsonNode v = node.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw bad(
                    at + field,
                    LogText.quote(String.valueOf(v)) + " (expected: a whole number, " + min + ".." + max + ")");
        }
        return v.longValue();
    }

    /** The refusal: where and why, as one line (field names and values come from the file). */
    private static IllegalArgumentException bad(String at, String why) {
        return new IllegalArgumentException(LogText.oneLine(at + ": " + why));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
