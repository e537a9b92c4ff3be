package org.calicojava.ctl.resource;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.calicojava.model.LogText;

/**
 * Reads a YAML (or JSON) stream of resources: split into documents at {@code ---} lines, each bound to its kind's
 * records with unknown fields refused. An error names the document, the line (in the whole input) and the field:
 * {@code document 2, line 14: spec.ingress[0].action: "Alow" (expected: Allow, Deny, Log or Pass)}.
 */
final class Documents {
    /** The envelope every document has. */
    record Envelope<S>(String apiVersion, String kind, Meta metadata, S spec) {}

    /** One document's text and where it starts (1-based line). */
    record Chunk(int index, int firstLine, String text) {}

    /** A document read: its kind and the resource. */
    record Doc(int index, int line, Kind kind, Meta meta, Object spec) {}

    /** A document that cannot be read, with where. */
    static final class DocumentException extends IllegalArgumentException {
        DocumentException(String message) {
            super(message);
        }
    }

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);
    private static final Pattern SEPARATOR = Pattern.compile("^(---|\\.\\.\\.)(\\s.*)?$");
    private static final Pattern EMPTY = Pattern.compile("^\\s*(#.*)?$");

    private Documents() {}

    /** The documents of {@code text}, blank and comment-only ones left out. */
    static List<Chunk> split(String text) {
        List<Chunk> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        StringBuilder cur = new StringBuilder();
        int first = 1;
        boolean content = false;
        for (int i = 0; i <= lines.length; i++) {
            boolean sep = i == lines.length || SEPARATOR.matcher(lines[i]).matches();
            if (sep) {
                if (content) {
                    out.add(new Chunk(out.size() + 1, first, cur.toString()));
                }
                cur.setLength(0);
                content = false;
                first = i + 2;
                continue;
            }
            cur.append(lines[i]).append('\n');
            if (!EMPTY.matcher(lines[i]).matches()) {
                content = true;
            }
        }
        return out;
    }

    /**
     * The documents of a chunk: itself, or for a {@code kind: List} (what {@code get -o json} prints for several) each
     * of its {@code items} as a document of its own, cut out of the text with its lines kept (the lines before it
     * blank, its first line indented to its column), so errors still name the item's own lines.
     */
    static List<Chunk> expand(Chunk c, int index) {
        List<Chunk> out = new ArrayList<>();
        try (JsonParser p = YAML.getFactory().createParser(c.text())) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                boolean list = false;
                List<long[]> items = new ArrayList<>(); // {start offset, end offset, line, column}
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken v = p.nextToken();
                    if (field.equals("kind")
                            && v == JsonToken.VALUE_STRING
                            && p.getText().equals("List")) {
                        list = true;
                    } else if (field.equals("items") && v == JsonToken.START_ARRAY) {
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            JsonLocation start = p.currentTokenLocation();
                            p.skipChildren();
                            items.add(new long[] {
                                start.getCharOffset(),
                                p.currentLocation().getCharOffset(),
                                start.getLineNr(),
                                start.getColumnNr()
                            });
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                if (list) {
                    for (long[] it : items) {
                        String body = c.text().substring((int) it[0], (int)
                                Math.min(it[1], c.text().length()));
                        int nl = body.lastIndexOf('\n');
                        if (nl >= 0
                                && (body.substring(nl + 1).isBlank()
                                        || body.substring(nl + 1).strip().startsWith("-"))) {
                            body = body.substring(0, nl + 1);
                        }
                        String text = "\n".repeat((int) it[2] - 1) + " ".repeat((int) Math.max(0, it[3] - 1)) + body;
                        out.add(new Chunk(index + out.size(), c.firstLine(), text));
                    }
                    return out;
                }
            }
        } catch (IOException e) {
            // not a List: read (and reported) as one document
        }
        return List.of(new Chunk(index, c.firstLine(), c.text()));
    }

    /** Reads one document into its kind's records. */
    static Doc read(Chunk c) {
        Envelope<JsonNode> env = bind(c, YAML.getTypeFactory().constructParametricType(Envelope.class, JsonNode.class));
        if (env == null) {
            throw error(c, c.firstLine(), "", "not a resource");
        }
        if (!Resources.API_VERSION.equals(env.apiVersion())) {
            throw error(
                    c,
                    c.firstLine(),
                    "apiVersion",
                    LogText.quote(env.apiVersion()) + " (expected: " + Resources.API_VERSION + ")");
        }
        Kind kind = env.kind() == null ? null : Resources.kind(env.kind(), false);
        if (kind == null) {
            throw error(
                    c,
                    c.firstLine(),
                    "kind",
                    LogText.quote(env.kind()) + " (expected one of: " + Resources.kindNames() + ")");
        }
        if (env.metadata() == null) {
            throw error(c, c.firstLine(), "metadata", "missing");
        }
        JavaType type = YAML.getTypeFactory()
                .constructParametricType(Envelope.class, YAML.getTypeFactory().constructType(kind.specType()));
        Envelope<?> typed = bind(c, type);
        return new Doc(c.index(), c.firstLine(), kind, typed.metadata(), typed.spec());
    }

    private static <T> T bind(Chunk c, JavaType type) {
        try {
            return YAML.readValue(c.text(), type);
        } catch (JsonMappingException e) {
            String path = path(e);
            String msg;
            if (e instanceof UnrecognizedPropertyException u) {
                TreeSet<String> known = new TreeSet<>();
                if (u.getKnownPropertyIds() != null) {
                    u.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
                }
                msg = "unknown field" + (known.isEmpty() ? "" : " (expected one of: " + String.join(", ", known) + ")");
            } else {
                msg = cause(e);
            }
            Integer at = lines(c.text()).get(path);
            throw error(c, at != null ? c.firstLine() + at - 1 : line(c, e.getLocation()), path, msg);
        } catch (JsonProcessingException e) {
            throw error(c, line(c, e.getLocation()), "", firstLine(e.getOriginalMessage()));
        }
    }

    /** The message of the validation that failed inside a record, else Jackson's own first line. */
    private static String cause(JsonMappingException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException
                    && t.getMessage() != null
                    && !(t instanceof JsonProcessingException)) {
                return firstLine(t.getMessage());
            }
        }
        return firstLine(e.getOriginalMessage());
    }

    /**
     * The line in the whole input where the field or item a message starts with ("spec.bgp.ipv4Address: ...") is,
     * else where the document starts.
     */
    static int lineOf(Chunk c, String message) {
        Map<String, Integer> lines = lines(c.text());
        int colon = message.indexOf(": ");
        String path = colon < 0 ? "" : message.substring(0, colon);
        Integer at = lines.get(path);
        return at == null ? c.firstLine() : c.firstLine() + at - 1;
    }

    /** Each field's and list item's path ("spec.ingress[0].action") with its line in the document. */
    static Map<String, Integer> lines(String text) {
        Map<String, Integer> out = new HashMap<>();
        Deque<Object[]> stack = new ArrayDeque<>(); // {field name or null, next index or -1}
        try (JsonParser p = YAML.getFactory().createParser(text)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                int line = p.currentTokenLocation().getLineNr();
                if (t == JsonToken.FIELD_NAME) {
                    stack.peek()[0] = p.currentName();
                    out.putIfAbsent(path(stack), line);
                    continue;
                }
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    stack.pop();
                    continue;
                }
                Object[] parent = stack.peek();
                if (parent != null && (int) parent[1] >= 0) {
                    parent[1] = (int) parent[1] + 1;
                    out.putIfAbsent(path(stack), line);
                }
                if (t == JsonToken.START_OBJECT) {
                    stack.push(new Object[] {null, -1});
                } else if (t == JsonToken.START_ARRAY) {
                    stack.push(new Object[] {null, 0});
                }
            }
        } catch (IOException e) {
            // the lines read so far
        }
        return out;
    }

    private static String path(Deque<Object[]> stack) {
        StringBuilder b = new StringBuilder();
        var it = stack.descendingIterator();
        while (it.hasNext()) {
            Object[] f = it.next();
            if ((int) f[1] >= 0) {
                b.append('[').append((int) f[1] - 1).append(']');
            } else if (f[0] != null) {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(f[0]);
            }
        }
        return b.toString();
    }

    private static int line(Chunk c, JsonLocation loc) {
        return loc == null || loc.getLineNr() < 1 ? c.firstLine() : c.firstLine() + loc.getLineNr() - 1;
    }

    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    static DocumentException error(Chunk c, int line, String field, String message) {
        return new DocumentException(
                "document " + c.index() + ", line " + line + ": " + (field.isEmpty() ? "" : field + ": ") + message);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
