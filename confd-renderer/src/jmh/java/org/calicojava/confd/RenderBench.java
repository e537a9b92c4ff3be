package org.calicojava.confd;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One render pass without file I/O: context from a key tree of N nodes (each with IPv4 and IPv6, mesh on, 4 pools,
 * 8 blocks for this node), then both shipped templates; {@code contextCold} with a fresh builder (first pass after
 * start, every address parsed). Baseline: copying the key tree (touching every key once).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RenderBench {
    @Param({"10", "100", "1000"})
    int nodes;

    Fixtures f;
    TemplateRenderer renderer;
    ContextBuilder builder; // reused, as the daemon does (its address cache stays warm)
    Path templates = ShippedTemplatesTest.CONFDIR.resolve("templates");

    @Setup
    public void setUp() {
        f = new Fixtures();
        for (int i = 0; i < nodes; i++) {
            f.node("node" + i, "10.0." + (i / 250) + "." + (i % 250 + 1), "fd00::" + Integer.toHexString(i + 1));
        }
        for (int p = 0; p < 4; p++) {
            f.pool("10." + (10 + p) + ".0.0/16");
        }
        for (int b = 0; b < 8; b++) {
            f.block("node0", "10.10." + b + ".0/26");
        }
        f.globalPeer("192.0.2.1", "65100");
        renderer = new TemplateRenderer(templates);
        builder = new ContextBuilder(f.keys, "node0");
    }

    @Benchmark
    public Object baselineCopyTree() {
        return new TreeMap<>(f.kv);
    }

    @Benchmark
    public Object contextOnly() {
        return builder.build(f.kv);
    }

    @Benchmark
    public Object contextCold() {
        return new ContextBuilder(f.keys, "node0").build(f.kv);
    }

    @Benchmark
    public int renderPass() {
        Map<String, Object> ctx = builder.build(f.kv);
        Helpers.install(ctx, TreeNode.build(f.keys.root(), f.kv, "node0"), f.kv, f.keys.root());
        return renderer.render(templates.resolve("bgp-speaker.yaml.mustache"), ctx)
                        .length()
                + renderer.render(templates.resolve("bird.conf.mustache"), ctx).length();
    }
}
