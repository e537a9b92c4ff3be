package org.calicojava.ctl.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Renders a {@link Fabric} as a Graphviz DOT graph: one cluster per node (the node, its workloads), a box per external
 * peer, a note per profile, an edge per BGP session labelled with its kind and each end's reported state (green:
 * Established at both ends that report; red: reported and not Established; grey: not reported). Every text from etcd
 * goes through {@link #quote}: DOT sees it only inside a quoted string.
 */
public final class DotWriter {
    private DotWriter() {}

    /** A DOT quoted string: backslash and quote escaped, control characters dropped. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '\\' || c == '"') {
                b.append('\\').append(c);
            } else if (!Character.isISOControl(c)) {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** A label of several lines (DOT's {@code \n} between escaped lines). */
    static String label(String... lines) {
        List<String> parts = new ArrayList<>();
        for (String l : lines) {
            if (l != null && !l.isEmpty()) {
                parts.add(quote(l).substring(1, quote(l).length() - 1));
            }
        }
        return "\"" + String.join("\\n", parts) + "\"";
    }

    public static String render(Fabric f) {
        StringBuilder out = new StringBuilder();
        out.append("graph calico_java {\n");
        out.append("  graph [rankdir=LR, fontname=\"Helvetica\", labelloc=t, label=")
                .append(label("calico-java fabric: " + f.nodes().size() + " nodes, "
                        + f.externals().size()
                        + " external peers, " + f.sessions().size() + " BGP sessions, node-to-node mesh "
                        + (f.mesh() ? "on" : "off") + ", default AS " + f.defaultAsn()))
                .append("];\n");
        out.append("  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n");
        Map<String, String> ids = new LinkedHashMap<>();
        Map<String, String> profileIds = new LinkedHashMap<>();
        TreeSet<String> profiles = new TreeSet<>();
        f.nodes().values().forEach(n -> n.workloads().forEach(w -> profiles.addAll(w.profiles())));
        for (String p : profiles) {
            profileIds.put(p, "p" + profileIds.size());
        }
        int i = 0;
        for (Fabric.Node n : f.nodes().values()) {
            String id = "n" + i;
            ids.put(n.name(), id);
            out.append("  subgraph cluster_")
                    .append(i)
                    .append(" {\n    label=")
                    .append(label("node " + n.name()))
                    .append("; style=rounded; color=\"#888888\";\n");
            String role = n.isRouteReflector() ? "route reflector, cluster " + n.rrClusterId() : null;
            out.append("    ")
                    .append(id)
                    .append(" [shape=")
                    .append(n.isRouteReflector() ? "doubleoctagon" : "box")
                    .append(", style=filled, fillcolor=\"")
                    .append(n.isRouteReflector() ? "#ffe6cc" : "#dae8fc")
                    .append("\", label=")
                    .append(label(
                            n.name(),
                            n.ipv4(),
                            n.ipv6(),
                            "AS " + n.asn(),
                            role,
                            n.statusTime() == null ? "BGP status: not reported" : "BGP status at " + n.statusTime()))
                    .append("];\n");
            int w = 0;
            for (Fabric.Workload wl : n.workloads()) {
                String wid = id + "_w" + w++;
                out.append("    ")
                        .append(wid)
                        .append(" [shape=ellipse, label=")
                        .append(label(wl.name(), String.join(", ", wl.ips())))
                        .append("];\n");
                out.append("    ").append(id).append(" -- ").append(wid).append(" [style=dotted];\n");
            }
            out.append("  }\n");
            i++;
        }
        int x = 0;
        for (Fabric.External e : f.externals().values()) {
            String id = "x" + x++;
            ids.put(e.ip(), id);
            out.append("  ")
                    .append(id)
                    .append(" [shape=box3d, style=filled, fillcolor=\"#f5f5f5\", label=")
                    .append(label(e.ip(), "AS " + e.asn(), "external BGP peer"))
                    .append("];\n");
        }
        for (Map.Entry<String, String> p : profileIds.entrySet()) {
            out.append("  ")
                    .append(p.getValue())
                    .append(" [shape=note, label=")
                    .append(label("profile " + p.getKey()))
                    .append("];\n");
        }
        i = 0;
        for (Fabric.Node n : f.nodes().values()) {
            int w = 0;
            for (Fabric.Workload wl : n.workloads()) {
                String wid = "n" + i + "_w" + w++;
                for (String p : wl.profiles()) {
                    out.append("  ")
                            .append(wid)
                            .append(" -- ")
                            .append(profileIds.get(p))
                            .append(" [style=dashed, color=\"#999999\"];\n");
                }
            }
            i++;
        }
        for (Fabric.Session s : f.sessions()) {
            out.append("  ").append(edge(f, s, ids)).append('\n');
        }
        for (String skipped : f.skipped()) {
            out.append("  // skipped: ")
                    .append(skipped.replaceAll("\\p{Cntrl}", " "))
                    .append('\n');
        }
        out.append("}\n");
        return out.toString();
    }

    private static String edge(Fabric f, Fabric.Session s, Map<String, String> ids) {
        String kind = switch (s.kind()) {
            case MESH -> "mesh";
            case GLOBAL -> "global peer";
            case NODE -> "node peer";
        };
        List<String> states = new ArrayList<>();
        states.add(s.a() + ": " + f.state(s.a(), s.bAddress()));
        if (s.bNode() != null) {
            Fabric.Node a = f.nodes().get(s.a());
            String back = s.bAddress().contains(":") ? a.ipv6() : a.ipv4();
            states.add(s.bNode() + ": " + f.state(s.bNode(), back));
        }
        boolean anyKnown = states.stream().anyMatch(t -> !t.endsWith(": unknown"));
        boolean allUp = states.stream().allMatch(t -> t.endsWith(": Established") || t.endsWith(": unknown"));
        String color = !anyKnown ? "#999999" : allUp ? "#2e7d32" : "#c62828";
        String to = ids.get(s.bNode() != null ? s.bNode() : s.bAddress());
        List<String> lines = new ArrayList<>();
        lines.add(kind + (s.bAddress().contains(":") ? " (IPv6)" : ""));
        lines.addAll(states);
        return ids.get(s.a()) + " -- " + to + " [color=\"" + color + "\", penwidth=2, label="
                + label(lines.toArray(new String[0])) + "];";
    }
}
