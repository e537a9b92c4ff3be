package org.calicojava.confd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import org.calicojava.model.Keys;
import org.calicojava.model.LogText;
import org.calicojava.process.CommandRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One render pass over some resources: builds the context from the key tree once, renders each template, swaps the
 * file in when it changed (check first) and runs its reload command. Logs one line per resource that did something
 * or failed. A reload that fails after its file was swapped in stays pending and is retried ({@link #retryReloads},
 * scheduled by the daemon) until it succeeds. Not thread-safe: the daemon calls it from its one worker thread.
 */
public final class ResourceProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(ResourceProcessor.class);

    public enum Result {
        UNCHANGED,
        WRITTEN,
        FAILED
    }

    /** A record that stays invalid is logged again after this long (default). */
    public static final Duration REPEAT_INVALID = Duration.ofMinutes(10);

    private final Keys keys;
    private final String nodeName;
    private final ContextBuilder contextBuilder;
    private final TemplateRenderer renderer;
    private final FileSwapper swapper;
    private final PendingReloads reloads;
    private final ConfdMetrics metrics;
    private final InvalidRecords invalid;
    private final Set<String> owedAsked = new HashSet<>();
    private String lastMissing;

    public ResourceProcessor(
            Keys keys, String nodeName, TemplateRenderer renderer, CommandRunner runner, Duration commandTimeout) {
        this(keys, nodeName, renderer, runner, commandTimeout, new ConfdMetrics(), REPEAT_INVALID);
    }

    /**
     * {@code repeatInvalid}: how often a record that stays invalid is logged again (it is always logged when it first
     * turns up and when its reason changes).
     */
    public ResourceProcessor(
            Keys keys,
            String nodeName,
            TemplateRenderer renderer,
            CommandRunner runner,
            Duration commandTimeout,
            ConfdMetrics metrics,
            Duration repeatInvalid) {
        this(keys, nodeName, renderer, runner, commandTimeout, metrics, repeatInvalid, List.of());
    }

    /** {@code etcdAddresses}: the etcd endpoints' IP addresses, which peers outside the mesh may not route for us. */
    public ResourceProcessor(
            Keys keys,
            String nodeName,
            TemplateRenderer renderer,
            CommandRunner runner,
            Duration commandTimeout,
            ConfdMetrics metrics,
            Duration repeatInvalid,
            List<String> etcdAddresses) {
        this.metrics = metrics;
        this.invalid = new InvalidRecords(metrics, repeatInvalid.toNanos(), System::nanoTime);
        this.keys = keys;
        this.nodeName = nodeName;
        this.contextBuilder = new ContextBuilder(keys, nodeName, etcdAddresses);
        this.renderer = renderer;
        this.swapper = new FileSwapper(runner, commandTimeout);
        this.reloads = new PendingReloads(runner, commandTimeout, metrics, System::nanoTime);
    }

    /** Retries the reloads that failed after their file was written and are due (see {@link PendingReloads}). */
    public void retryReloads() {
        reloads.retryDue();
    }

    /** Nanoseconds until the next failed reload is retried (0: due now), or -1 when none is pending. */
    public long nextReloadRetryIn() {
        return reloads.nextDueIn();
    }

    /** How many resources wait for a successful reload. */
    public int pendingReloads() {
        return reloads.size();
    }

    /**
     * A reload of r's file is owed from before this process (its reload failed, or confd stopped first): asked once per
     * resource, at its first unchanged render, since from then on this process's own pending reloads carry any failure
     * (so a marker that cannot be removed costs one extra reload, not one per pass). A marker of a resource without a
     * reload_cmd (one removed from its template resource) is removed.
     */
    private boolean owed(TemplateResource r) {
        if (!owedAsked.add(r.name())) {
            return false;
        }
        Path marker = FileSwapper.reloadOwed(r.dest());
        if (r.reloadCmd() == null) {
            try {
                Files.deleteIfExists(marker);
            } catch (IOException e) {
                LOG.warn("{}: cannot remove {}: {}", r.name(), marker, e.toString());
            }
            return false;
        }
        return !reloads.isPending(r.name()) && Files.exists(marker);
    }

    /** Processes {@code resources} against the key tree {@code kv}; results by resource name. */
    public Map<String, Result> process(Collection<TemplateResource> resources, NavigableMap<String, String> kv) {
        Map<String, Result> results = new LinkedHashMap<>();
        Map<String, Object> ctx;
        try {
            ctx = contextBuilder.build(kv);
            ctx.put("nodeName", nodeName);
            lastMissing = null;
        } catch (MissingDataException e) {
            invalid.report(contextBuilder.invalid());
            if (!e.getMessage().equals(lastMissing)) {
                LOG.warn("not rendering: {}", e.getMessage());
                lastMissing = e.getMessage();
            }
            resources.forEach(r -> {
                results.put(r.name(), Result.FAILED);
                metrics.failed(r.name(), "context");
                metrics.rendered(r.name(), Result.FAILED);
            });
            return results;
        }
        invalid.report(contextBuilder.invalid());
        TreeNode tree = TreeNode.build(keys.root(), kv, nodeName);
        for (TemplateResource r : resources) {
            Map<String, Object> own = new HashMap<>(ctx); // the helpers encode for this template's language
            Helpers.install(own, tree, kv, keys.root(), TemplateRenderer.encoderFor(r.src()));
            Result result = processOne(r, own);
            metrics.rendered(r.name(), result);
            results.put(r.name(), result);
        }
        return results;
    }

    private Result processOne(TemplateResource r, Map<String, Object> ctx) {
        long start = System.nanoTime();
        String content;
        try {
            content = renderer.render(r.src(), ctx);
        } catch (IllegalArgumentException e) {
            LOG.error("{}: render failed: {}", r.name(), LogText.quote(e.getMessage()));
            metrics.failed(r.name(), "render");
            return Result.FAILED;
        }
        FileSwapper.Outcome out;
        try {
            out = swapper.swap(r, content);
        } catch (IOException e) {
            LOG.error("{}: cannot write {}: {}", r.name(), r.dest(), e.toString());
            metrics.failed(r.name(), "write");
            return Result.FAILED;
        }
        switch (out.status()) {
            case UNCHANGED:
                if (!owed(r)) {
                    LOG.debug("{}: {} unchanged", r.name(), r.dest());
                    return Result.UNCHANGED;
                }
                LOG.info(
                        "{}: {} unchanged, but its last reload never succeeded (a marker says so): reloading",
                        r.name(),
                        r.dest());
                break;
            case CHECK_FAILED:
                LOG.error("{}: {} kept as it was: {}", r.name(), r.dest(), LogText.quote(out.message()));
                metrics.failed(r.name(), "check");
                return Result.FAILED;
            default:
                break;
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (r.reloadCmd() == null) {
            LOG.info("{}: updated {}: {} in {} ms", r.name(), r.dest(), out.message(), ms);
            return Result.WRITTEN;
        }
        CommandRunner.Result reload = reloads.reloadWritten(r); // replaces a pending reload of the older file
        String did = out.status() == FileSwapper.Status.UNCHANGED ? "kept" : "updated";
        if (!reload.ok()) {
            LOG.error(
                    "{}: {} {} but reload_cmd failed (exit {}): {}; retrying in {} ms",
                    r.name(),
                    did,
                    r.dest(),
                    reload.exit(),
                    LogText.quote(reload.oneLine()),
                    PendingReloads.FIRST.toMillis());
            return Result.FAILED;
        }
        LOG.info(
                "{}: {} {}: {}, reloaded, in {} ms",
                r.name(),
                did,
                r.dest(),
                out.message(),
                (System.nanoTime() - start) / 1_000_000);
        return Result.WRITTEN;
    }
}
