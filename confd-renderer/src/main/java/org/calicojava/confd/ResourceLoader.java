package org.calicojava.confd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads template resources from {@code CONFDIR/conf.d/*.toml} (confd's format: a {@code [template]} table with src,
 * dest, keys, mode, check_cmd, reload_cmd, optional prefix) or {@code *.yaml}/{@code *.yml} (a {@code template:}
 * mapping with the same fields). Templates are in {@code CONFDIR/templates}. Keys are relative to the etcd root
 * (e.g. "/bgp/v1/host/NODENAME" under "/calico"), with NODENAME replaced by this node's name. TOML is read by
 * jackson-dataformat-toml (TOML 1.0, as confd's Go parser reads it: an unquoted {@code mode = 0644} is refused there
 * too, write {@code "0644"} or {@code 0o644}).
 */
public final class ResourceLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final TomlMapper TOML = new TomlMapper();

    private final Path confDir;
    private final String nodeName;
    private final String etcdRoot;
    private final Path destRoot;

    /** {@code destRoot} null: dest paths are used as written. */
    public ResourceLoader(Path confDir, String nodeName, String etcdRoot, Path destRoot) {
        this.confDir = confDir;
        this.nodeName = nodeName;
        this.etcdRoot = etcdRoot.endsWith("/") ? etcdRoot.substring(0, etcdRoot.length() - 1) : etcdRoot;
        this.destRoot = destRoot;
    }

    /** All resources, sorted by file name; {@link IllegalArgumentException} naming the file on any problem. */
    public List<TemplateResource> load() {
        Path dir = confDir.resolve("conf.d");
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("confdir " + confDir + ": no conf.d directory in it");
        }
        List<TemplateResource> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String n = f.getFileName().toString();
                if (n.endsWith(".toml") || n.endsWith(".yaml") || n.endsWith(".yml")) {
                    out.add(loadFile(f));
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("confdir " + dir + ": " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("confdir " + dir + ": no *.toml or *.yaml template resources");
        }
        return out;
    }

    TemplateResource loadFile(Path file) {
        String name = file.getFileName().toString();
        try {
            String text = Files.readString(file);
            Map<String, ?> table = name.endsWith(".toml") ? tomlTable(text) : yamlTable(text);
            return fromTable(name.replaceFirst("\\.(toml|ya?ml)$", ""), table);
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    e.getMessage().startsWith(name) ? e.getMessage() : name + ": " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> tomlTable(String text) {
        Map<String, Object> doc;
        try {
            doc = TOML.readValue(text, new TypeReference<Map<String, Object>>() {});
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new IllegalArgumentException("line " + line + ": " + e.getOriginalMessage());
        }
        if (!(doc.get("template") instanceof Map<?, ?> t)) {
            throw new IllegalArgumentException("no [template] table");
        }
        return (Map<String, ?>) t;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> yamlTable(String text) throws IOException {
        Object doc = YAML.readValue(text, Object.class);
        if (!(doc instanceof Map<?, ?> m) || !(m.get("template") instanceof Map<?, ?> t)) {
            throw new IllegalArgumentException("no 'template:' mapping");
        }
        return (Map<String, ?>) t;
    }

    TemplateResource fromTable(String name, Map<String, ?> t) {
        for (String k : t.keySet()) {
            if (!List.of("src", "dest", "keys", "mode", "check_cmd", "reload_cmd", "prefix", "uid", "gid")
                    .contains(k)) {
                throw new IllegalArgumentException("unknown field '" + k + "' (expected: src, dest, keys, mode, "
                        + "check_cmd, reload_cmd, prefix)");
            }
        }
        String src = string(t, "src");
        String dest = string(t, "dest");
        String prefix = t.get("prefix") == null ? "" : string(t, "prefix");
        List<String> keys = new ArrayList<>();
        Object rawKeys = t.get("keys");
        if (rawKeys != null && !(rawKeys instanceof List<?>)) {
            throw new IllegalArgumentException("keys: expected a list of strings");
        }
        for (Object k : rawKeys == null ? List.of() : (List<?>) rawKeys) {
            String key = String.valueOf(k).replace("NODENAME", nodeName);
            keys.add((etcdRoot + prefix + (key.startsWith("/") ? key : "/" + key)).replaceAll("/{2,}", "/"));
        }
        return new TemplateResource(
                name,
                src == null ? null : confDir.resolve("templates").resolve(src),
                dest == null ? null : destPath(dest),
                keys,
                mode(t.get("mode")),
                string(t, "check_cmd"),
                string(t, "reload_cmd"));
    }

    private Path destPath(String dest) {
        if (destRoot == null) {
            return Path.of(dest);
        }
        return destRoot.resolve(dest.replaceFirst("^/+", ""));
    }

    private static Integer mode(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Number n) {
            // TOML's 0644 arrives as 420 already; a YAML parser may give 644 (digits meant as octal): values
            // above 0777 whose digits are all octal are read as octal.
            String digits = Long.toString(n.longValue());
            return n.longValue() <= 0777 || !digits.matches("[0-7]+") ? n.intValue() : Integer.parseInt(digits, 8);
        }
        String s = v.toString().trim();
        try {
            return Integer.parseInt(s.startsWith("0o") ? s.substring(2) : s, 8);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("mode: '" + s + "' (expected: octal like \"0644\")");
        }
    }

    private static String string(Map<String, ?> t, String field) {
        Object v = t.get(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException(field + ": expected a string, got " + v);
        }
        return s;
    }
}
