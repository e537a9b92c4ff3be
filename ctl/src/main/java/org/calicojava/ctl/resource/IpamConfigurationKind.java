package org.calicojava.ctl.resource;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.calicojava.ipam.IpamConfig;
import org.calicojava.model.Json;
import org.calicojava.model.LogText;

/**
 * IPAMConfiguration {@code default}, as Calico's: {@code strictAffinity}, {@code autoAllocateBlocks},
 * {@code maxBlocksPerHost} (0: no cap) at {@code /calico/ipam/v2/config} ({@link IpamConfig}). A spec with none of them
 * removes the key (IPAM's defaults); a stored value IPAM cannot read is skipped by {@code get}, as other kinds' are.
 */
final class IpamConfigurationKind implements Kind {
    static final String NAME = "default";

    @Override
    public String kind() {
        return "IPAMConfiguration";
    }

    @Override
    public List<String> aliases() {
        return List.of("ipamconfiguration", "ipamconfigurations", "ipamconfig", "ipamconfigs");
    }

    @Override
    public Class<?> specType() {
        return Specs.IpamConfigurationSpec.class;
    }

    private static void checkName(Meta meta) {
        if (!NAME.equals(Resources.required(meta))) {
            throw new IllegalArgumentException("metadata.name: " + LogText.quote(meta.name()) + " (expected: default)");
        }
    }

    @Override
    public Footprint footprint(Meta meta, Object spec, Ctx ctx) {
        checkName(meta);
        Specs.IpamConfigurationSpec s = (Specs.IpamConfigurationSpec) spec;
        String value = s == null || s.isEmpty()
                ? null
                : Json.write(new IpamConfig(
                        Boolean.TRUE.equals(s.strictAffinity()), s.autoAllocateBlocks(), s.maxBlocksPerHost()));
        return new Footprint(
                kind(),
                NAME,
                new Footprint.Keys().put(ctx.keys().ipamConfig(), value).map(),
                List.of());
    }

    @Override
    public Footprint deletion(Meta meta, Object spec, Ctx ctx) {
        checkName(meta);
        return new Footprint(
                kind(),
                NAME,
                new Footprint.Keys().put(ctx.keys().ipamConfig(), null).map(),
                List.of());
    }

    @Override
    public List<Resource> list(Ctx ctx) {
        try {
            Optional<IpamConfig> c =
                    ctx.store().get(ctx.keys().ipamConfig()).map(kv -> Json.read(kv.value(), IpamConfig.class));
            Specs.IpamConfigurationSpec spec = c.map(v ->
                            new Specs.IpamConfigurationSpec(v.strictAffinity(), v.autoAllocateBlocks(), v.blockCap()))
                    .orElse(new Specs.IpamConfigurationSpec(null, null, null));
            return List.of(new Resource(kind(), Meta.named(NAME), spec));
        } catch (IllegalArgumentException e) {
            Resources.skipped(kind(), NAME, e);
            return List.of();
        }
    }

    @Override
    public List<String> columns() {
        return List.of("NAME", "STRICTAFFINITY", "AUTOALLOCATEBLOCKS", "MAXBLOCKSPERHOST");
    }

    @Override
    public int narrowColumns() {
        return 4;
    }

    @Override
    public List<Object> row(Resource r) {
        Specs.IpamConfigurationSpec s = (Specs.IpamConfigurationSpec) r.spec();
        return Arrays.asList(
                r.metadata().name(),
                Boolean.TRUE.equals(s.strictAffinity()),
                !Boolean.FALSE.equals(s.autoAllocateBlocks()),
                s.maxBlocksPerHost() == null || s.maxBlocksPerHost() == 0 ? "0 (no cap)" : s.maxBlocksPerHost());
    }
}
