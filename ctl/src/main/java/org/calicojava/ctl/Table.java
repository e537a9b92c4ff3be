package org.calicojava.ctl;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows with named columns, printed as an aligned table (calicoctl's +---+ style), JSON or YAML. Cells are strings;
 * for JSON/YAML each row becomes an object keyed by column name (lower-case, spaces as underscores).
 */
public final class Table {
    private final List<String> columns;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... columns) {
        this.columns = List.of(columns);
    }

    public Table row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c == null ? "" : c.toString());
        }
        rows.add(r);
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    public List<Map<String, String>> asMaps() {
        List<Map<String, String>> out = new ArrayList<>();
        for (List<String> r : rows) {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                m.put(columns.get(i).toLowerCase().replace(' ', '_'), r.get(i));
            }
            out.add(m);
        }
        return out;
    }

    public void print(PrintWriter out, String format) {
        switch (format) {
            case "json" -> out.println(Output.json(asMaps()));
            case "yaml" -> out.print(Output.yaml(asMaps()));
            default -> printTable(out);
        }
        out.flush();
    }

    private void printTable(PrintWriter out) {
        int[] w = new int[columns.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = columns.get(i).length();
            for (List<String> r : rows) {
                for (String line : r.get(i).split("\n")) {
                    w[i] = Math.max(w[i], line.length());
                }
            }
        }
        StringBuilder sep = new StringBuilder("+");
        for (int x : w) {
            sep.append("-".repeat(x + 2)).append('+');
        }
        out.println(sep);
        line(out, columns, w);
        out.println(sep);
        for (List<String> r : rows) {
            String[][] cells = new String[w.length][];
            int height = 1;
            for (int i = 0; i < w.length; i++) {
                cells[i] = r.get(i).split("\n");
                height = Math.max(height, cells[i].length);
            }
            for (int h = 0; h < height; h++) {
                List<String> l = new ArrayList<>();
                for (int i = 0; i < w.length; i++) {
                    l.add(h < cells[i].length ? cells[i][h] : "");
                }
                line(out, l, w);
            }
        }
        out.println(sep);
    }

    private static void line(PrintWriter out, List<String> cells, int[] w) {
        StringBuilder sb = new StringBuilder("|");
        for (int i = 0; i < w.length; i++) {
            sb.append(' ')
                    .append(cells.get(i))
                    .append(" ".repeat(w[i] - cells.get(i).length()))
                    .append(" |");
        }
        out.println(sb);
    }
}
