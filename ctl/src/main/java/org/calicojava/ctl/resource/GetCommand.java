package org.calicojava.ctl.resource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.ctl.ResourceBridge;
import org.calicojava.ctl.Table;
import org.calicojava.model.Json;
import org.calicojava.model.LogText;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code javactl get KIND [NAME] [-o table|wide|yaml|json]}: stored resources in calicoctl v3's form. YAML of several
 * resources is one document each ({@code ---} between), so {@code get ... -o yaml | apply -f -} takes it back
 * unchanged; JSON of several is a {@code List} with {@code items}.
 */
@Command(
        name = "get",
        description =
                "Show resources: get KIND [NAME] [-o table|wide|yaml|json]. Kinds: IPPool, "
                        + "Profile, Tier, Policy, Node, BGPPeer, BGPConfiguration, FelixConfiguration, IPAMConfiguration, WorkloadEndpoint.")
public final class GetCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KIND")
    String kind;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME")
    String name;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FORMAT",
            defaultValue = "table",
            description = "table, wide, yaml or json (default: table)")
    String output;

    static final ObjectMapper YAML_OUT = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    static Kind kind(String word) {
        Kind k = Resources.kind(word, true);
        if (k == null) {
            throw ResourceBridge.fail(
                    "kind: " + LogText.quote(word) + " (expected one of: " + Resources.kindNames() + ")");
        }
        return k;
    }

    /** The resources named {@code name} (a policy also as TIER/NAME); at least one, else a refusal. */
    static List<Kind.Resource> find(Kind k, Kind.Ctx ctx, String name) {
        List<Kind.Resource> found = new ArrayList<>();
        for (Kind.Resource r : k.list(ctx)) {
            boolean match = r.metadata().name().equals(name)
                    || r.spec() instanceof Specs.PolicySpec p
                            && (p.tier() + "/" + r.metadata().name()).equals(name)
                    || k instanceof WorkloadEndpointKind && WorkloadEndpointKind.matches(r, name);
            if (match) {
                found.add(r);
            }
        }
        if (found.isEmpty()) {
            throw ResourceBridge.fail(k.kind() + " " + LogText.quote(name) + " not found");
        }
        return found;
    }

    @Override
    public void run() {
        Kind k = kind(kind);
        if (!List.of("table", "wide", "yaml", "json").contains(output)) {
            throw ResourceBridge.fail("-o: " + LogText.quote(output) + " (expected: table, wide, yaml or json)");
        }
        Kind.Ctx ctx = new Kind.Ctx(ResourceBridge.store(spec), ResourceBridge.keys(spec));
        List<Kind.Resource> list = name == null ? k.list(ctx) : find(k, ctx, name);
        var out = spec.commandLine().getOut();
        switch (output) {
            case "yaml" -> {
                List<String> docs = new ArrayList<>();
                for (Kind.Resource r : list) {
                    docs.add(write(YAML_OUT, envelope(r)));
                }
                out.print(String.join("---\n", docs));
                out.flush();
            }
            case "json" -> {
                Object value;
                if (list.size() == 1 && name != null) {
                    value = envelope(list.get(0));
                } else {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("apiVersion", Resources.API_VERSION);
                    m.put("kind", "List");
                    m.put("items", list.stream().map(GetCommand::envelope).toList());
                    value = m;
                }
                out.println(write(Json.MAPPER.writerWithDefaultPrettyPrinter(), value));
            }
            default -> {
                List<String> cols = k.columns();
                int n = output.equals("wide") ? cols.size() : Math.min(k.narrowColumns(), cols.size());
                Table t = new Table(cols.subList(0, n).toArray(new String[0]));
                for (Kind.Resource r : list) {
                    t.row(k.row(r).subList(0, n).toArray());
                }
                t.print(out, "table");
            }
        }
    }

    static Map<String, Object> envelope(Kind.Resource r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("apiVersion", Resources.API_VERSION);
        m.put("kind", r.kind());
        m.put("metadata", r.metadata());
        m.put("spec", r.spec());
        return m;
    }

    private static String write(Object writer, Object value) {
        try {
            return writer instanceof ObjectMapper m
                    ? m.writeValueAsString(value)
                    : ((com.fasterxml.jackson.databind.ObjectWriter) writer).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
