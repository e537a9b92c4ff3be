package org.calicojava.felix.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a layout without the per-endpoint chains would cost: the agent's cold-start text with every one-rule endpoint
 * chain ({@code cali-tw-IF { goto cali-tw/HASH }}) left out and the dispatch maps' elements pointing at the shared
 * bodies directly ({@code "IF" : goto cali-tw/HASH}), through {@code nft -f} and the kernel's commit, beside the
 * floors of the layout the agent writes. Not a layout the agent writes (it keeps the chain names operators and
 * {@code policy explain} look for): data for that choice. {@code -Dfloor.directmap=false} leaves it out.
 */
final class DirectMapFloor {
    private static final Pattern ONE_GOTO = Pattern.compile(
            "^add chain inet calico (cali-[tf]w-\\S+) \\{ goto (cali-[tf]w/\\S+) comment \"[^\"]*\"; \\}$");
    private static final Pattern ENDPOINT_LINE =
            Pattern.compile("^(?:add|flush) chain inet calico (cali-[tf]w-\\S+)(?: .*)?$");
    private static final Pattern MAP_TARGET = Pattern.compile("goto (cali-[tf]w-[^,\\s}]+)");

    private DirectMapFloor() {}

    /** {@code script} without its one-goto endpoint chains, the maps going to their bodies; endpoints left out. */
    static String transform(String script) {
        String[] lines = script.split("\n", -1);
        Map<String, String> body = new java.util.HashMap<>();
        for (String l : lines) {
            Matcher m = ONE_GOTO.matcher(l);
            if (m.matches()) {
                body.put(m.group(1), m.group(2));
            }
        }
        StringBuilder out = new StringBuilder(script.length());
        for (String l : lines) {
            Matcher e = ENDPOINT_LINE.matcher(l);
            if (e.matches() && body.containsKey(e.group(1))) {
                continue;
            }
            if (l.startsWith("add map inet calico ")) {
                l = MAP_TARGET.matcher(l).replaceAll(m -> "goto " + body.getOrDefault(m.group(1), m.group(1)));
            }
            out.append(l).append('\n');
        }
        return out.toString();
    }

    /** Prints {@code nft -f} (median of the rounds) and the kernel's commit of the transformed text, and the ratios. */
    static void measure(String ns, String script, double nftF, double kernelCommit) throws IOException {
        String direct = transform(script);
        List<Double> walls = new ArrayList<>();
        for (int r = 0; r < KernelCommitFloor.ROUNDS; r++) {
            BenchSh.run("ip", "netns", "exec", ns, "nft", "delete", "table", "inet", "calico");
            long t0 = System.nanoTime();
            CpuClock.run(direct, "ip", "netns", "exec", ns, "nft", "-f", "-");
            walls.add((System.nanoTime() - t0) / 1e9);
        }
        Collections.sort(walls);
        double wall = walls.get(walls.size() / 2);
        KernelCommitFloor.Commit k = KernelCommitFloor.measure(ns, direct, "the ruleset without endpoint chains");
        System.out.printf(
                "without the per-endpoint chains (maps straight to the bodies; %d of %d bytes of nft text): nft -f"
                        + " median %.3f s (%.2fx the agent's layout), kernel commit %.3f s (%.2fx)%n",
                direct.length(), script.length(), wall, wall / nftF, k.seconds(), k.seconds() / kernelCommit);
        BenchSh.run("ip", "netns", "exec", ns, "nft", "delete", "table", "inet", "calico");
    }
}
