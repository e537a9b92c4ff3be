package org.calicojava.confd;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SortedMap;
import org.calicojava.model.Json;

/**
 * A template's generic view of the etcd key tree, like confd's ls/getv/json functions: {@code key} (full path),
 * {@code name} (last path segment), {@code value} (raw string, null for a directory), {@code json} (the value parsed
 * as JSON: maps, lists, numbers, strings; null if it is not JSON), {@code children} (sorted by name), {@code child}
 * (children by name, for names without dots), {@code mine} (this node's entry: its name is this node's name) and
 * {@code exists}. Immutable snapshot, built from a sorted map.
 */
public final class TreeNode {
    private final String key;
    private final String value;
    private final String nodeName;
    private final Map<String, TreeNode> child;
    private Object json;
    private boolean jsonParsed;

    private TreeNode(String key, String value, String nodeName, Map<String, TreeNode> child) {
        this.key = key;
        this.value = value;
        this.nodeName = nodeName;
        this.child = Collections.unmodifiableMap(child);
    }

    /** The tree below {@code root} (e.g. "/calico") of the keys in {@code kvs}. */
    public static TreeNode build(String root, NavigableMap<String, String> kvs, String nodeName) {
        String r = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
        return build(r, kvs.get(r), kvs.subMap(r + "/", true, r + "0", false), nodeName);
    }

    private static TreeNode build(String key, String value, SortedMap<String, String> below, String nodeName) {
        Map<String, TreeNode> children = new LinkedHashMap<>();
        int cut = key.length() + 1;
        while (!below.isEmpty()) {
            String first = below.firstKey();
            int slash = first.indexOf('/', cut);
            String seg = slash < 0 ? first.substring(cut) : first.substring(cut, slash);
            String childKey = key + "/" + seg;
            SortedMap<String, String> sub = below.subMap(childKey + "/", childKey + "0");
            children.put(seg, build(childKey, below.get(childKey), sub, nodeName));
            below = below.tailMap(childKey + "0");
        }
        return new TreeNode(key, value, nodeName, children);
    }

    public String key() {
        return key;
    }

    public String name() {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    public String value() {
        return value;
    }

    public boolean exists() {
        return value != null || !child.isEmpty();
    }

    public boolean mine() {
        return name().equals(nodeName);
    }

    public Map<String, TreeNode> child() {
        return child;
    }

    public List<TreeNode> children() {
        return new ArrayList<>(child.values());
    }

    /** The node at a relative path like "bgp/v1/global" (segments may contain dots), or null. */
    public TreeNode at(String relative) {
        TreeNode n = this;
        for (String seg : relative.split("/")) {
            if (seg.isEmpty()) {
                continue;
            }
            n = n.child.get(seg);
            if (n == null) {
                return null;
            }
        }
        return n;
    }

    public Object json() {
        if (!jsonParsed) {
            jsonParsed = true;
            try {
                json = value == null ? null : Json.MAPPER.readValue(value, Object.class);
            } catch (JsonProcessingException e) {
                json = null;
            }
        }
        return json;
    }

    @Override
    public String toString() {
        return value == null ? "" : value;
    }
}
