package org.calicojava.cni;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.calicojava.model.LogText;
import org.calicojava.netlink.InterfaceNames;

/**
 * The CNI_* environment of one call, validated: {@code CNI_COMMAND}, {@code CNI_CONTAINERID}, {@code CNI_NETNS},
 * {@code CNI_IFNAME}, {@code CNI_ARGS} (KEY=VALUE;...), {@code CNI_PATH} (':'-separated directories).
 */
public record CniEnv(
        String command, String containerId, String netns, String ifname, Map<String, String> args, List<Path> path) {
    private static final Pattern CONTAINER_ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]{0,252}");
    private static final Pattern ARG_KEY = Pattern.compile("[A-Za-z0-9_\\-]{1,64}");

    public static CniEnv from(Map<String, String> env) {
        String command = env.getOrDefault("CNI_COMMAND", "");
        if (command.isEmpty()) {
            throw invalid("CNI_COMMAND is not set (expected: ADD, DEL, CHECK, STATUS, GC or VERSION)");
        }
        if (!List.of("ADD", "DEL", "CHECK", "VERSION", "STATUS", "GC").contains(command)) {
            throw invalid(
                    "CNI_COMMAND: " + LogText.quote(command) + " (expected: ADD, DEL, CHECK, STATUS, GC or VERSION)");
        }
        boolean attach = command.equals("ADD") || command.equals("DEL") || command.equals("CHECK");
        String id = env.getOrDefault("CNI_CONTAINERID", "");
        String netns = env.getOrDefault("CNI_NETNS", "");
        String ifname = env.getOrDefault("CNI_IFNAME", "");
        if (attach) {
            if (!CONTAINER_ID.matcher(id).matches()) {
                throw invalid("CNI_CONTAINERID: " + LogText.quote(id)
                        + " (expected: letters, digits, '_', '.', '-', starting with a letter or digit)");
            }
            String problem = InterfaceNames.problem(ifname);
            if (problem != null) {
                throw invalid("CNI_IFNAME: " + LogText.quote(ifname) + " (" + problem + ")");
            }
            if (!command.equals("DEL") && netns.isEmpty()) {
                throw invalid("CNI_NETNS is not set (expected: the path of the container's network namespace)");
            }
            if (!netns.isEmpty() && !netns.startsWith("/")) {
                throw invalid("CNI_NETNS: " + LogText.quote(netns) + " (expected: an absolute path)");
            }
        }
        List<Path> path = new ArrayList<>();
        for (String p : env.getOrDefault("CNI_PATH", "").split(":")) {
            if (!p.isBlank()) {
                path.add(Path.of(p));
            }
        }
        return new CniEnv(command, id, netns, ifname, parseArgs(env.getOrDefault("CNI_ARGS", "")), List.copyOf(path));
    }

    static Map<String, String> parseArgs(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : text.split(";")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0 || !ARG_KEY.matcher(pair.substring(0, eq)).matches()) {
                throw invalid("CNI_ARGS: " + LogText.quote(pair) + " (expected: KEY=VALUE pairs separated by ';')");
            }
            out.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return out;
    }

    private static CniException invalid(String msg) {
        return new CniException(CniException.INVALID_ENVIRONMENT, msg);
    }
}
