package org.calicojava.ctl.resource;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.calicojava.model.KeyPath;
import org.calicojava.model.LogText;

/** Small helpers shared by the kinds. */
final class Resources {
    static final String API_VERSION = "projectcalico.org/v3";

    /** The kinds, in the order {@code get} lists them in its help. */
    static final List<Kind> KINDS = List.of(
            new PoolKind(),
            new ProfileKind(),
            new TierKind(),
            new PolicyKind(),
            new NodeKind(),
            new BgpPeerKind(),
            new BgpConfigurationKind(),
            new FelixConfigurationKind(),
            new IpamConfigurationKind(),
            new WorkloadEndpointKind());

    private Resources() {}

    /** The kind named by a document's {@code kind} (exact) or by get's argument (any case, aliases), or null. */
    static Kind kind(String name, boolean loose) {
        for (Kind k : KINDS) {
            if (k.kind().equals(name)
                    || loose
                            && (k.kind().equalsIgnoreCase(name)
                                    || k.aliases().contains(name.toLowerCase(java.util.Locale.ROOT)))) {
                return k;
            }
        }
        return null;
    }

    static String kindNames() {
        return KINDS.stream().map(Kind::kind).collect(Collectors.joining(", "));
    }

    static String required(Meta meta) {
        if (meta == null || meta.name() == null) {
            throw new IllegalArgumentException("metadata.name: missing");
        }
        return meta.name();
    }

    /** {@code metadata.name}, checked as a name of its kind (etcd-schema's {@code Names}). */
    static String name(Meta meta, String what) {
        try {
            return org.calicojava.model.Names.check(what, required(meta));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    e.getMessage().startsWith("metadata.") ? e.getMessage() : "metadata.name: " + e.getMessage());
        }
    }

    /** The key's meaning, or null for keys outside the layout or with a bad segment (skipped by get). */
    static KeyPath parse(Kind.Ctx ctx, String key) {
        try {
            return KeyPath.parse(ctx.keys(), key);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String last(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    /** A stored record get cannot show: one line on stderr, the rest goes on. */
    static void skipped(String kind, String name, IllegalArgumentException e) {
        // in the resident javactl, System.err is the calling client's (CallContext.demultiplexStderr)
        System.err.println("Warning: skipping " + kind + " " + LogText.quote(name) + ": " + e.getMessage());
    }

    static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    static String labels(Map<String, String> labels) {
        return labels.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .sorted()
                .collect(Collectors.joining(","));
    }
}
