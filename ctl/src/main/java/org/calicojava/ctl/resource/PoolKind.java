package org.calicojava.ctl.resource;

import java.util.ArrayList;
import java.util.List;
import org.calicojava.ipam.AllocationBlock;
import org.calicojava.ipam.Ipam;
import org.calicojava.ipam.Pools;
import org.calicojava.model.Cidr;
import org.calicojava.model.IpPool;
import org.calicojava.model.Json;
import org.calicojava.model.LogText;

/**
 * IPPool at {@code /v1/ipam/vN/pool/<cidr>}. The v1 layout names a pool by its CIDR, so {@code metadata.name} is the
 * CIDR with '-' for '/' ({@code 10.1.0.0-16}) or left out. Delete is refused while addresses from the pool are
 * assigned and removes its (empty) blocks and their affinities, as {@code pool remove} does.
 */
final class PoolKind implements Kind {
    @Override
    public String kind() {
        return "IPPool";
    }

    @Override
    public List<String> aliases() {
        return List.of("ippool", "ippools", "pool", "pools");
    }

    @Override
    public Class<?> specType() {
        return Specs.IpPoolSpec.class;
    }

    private static IpPool pool(Meta meta, Object spec) {
        if (spec == null) {
            throw new IllegalArgumentException("spec.cidr: missing");
        }
        IpPool p = ((Specs.IpPoolSpec) spec).toPool();
        Cidr c = p.cidr();
        if (meta.name() != null && !meta.name().equals(c.keyForm())) {
            throw new IllegalArgumentException("metadata.name: " + LogText.quote(meta.name()) + " (expected: "
                    + c.keyForm() + " or none: the v1 layout names a pool by its CIDR)");
        }
        return p;
    }

    @Override
    public Footprint footprint(Meta meta, Object spec, Ctx ctx) {
        IpPool p = pool(meta, spec);
        List<IpPool> others = new ArrayList<>(Pools.list(ctx.store(), ctx.keys(), 0));
        for (IpPool o : others) {
            // as Calico's: blocks are carved at the pool's block size, so it never changes (felix routes only blocks
            // of it, and IPAM would carve overlapping ones)
            if (o.cidr().equals(p.cidr()) && o.blockSize() != p.blockSize()) {
                throw new IllegalArgumentException(
                        "spec.blockSize: " + p.blockSize() + " (pool " + p.cidr() + " exists with block size "
                                + o.blockSize() + ", which cannot change: delete and re-create it)");
            }
        }
        others.removeIf(o -> o.cidr().equals(p.cidr()));
        Pools.checkOverlap(p, others);
        return new Footprint(
                kind(),
                p.cidr().keyForm(),
                new Footprint.Keys()
                        .put(ctx.keys().pool(p.cidr()), Json.write(p))
                        .map(),
                List.of());
    }

    @Override
    public Footprint deletion(Meta meta, Object spec, Ctx ctx) {
        Cidr c = pool(meta, spec).cidr();
        Ipam ipam = new Ipam(ctx.store(), ctx.keys());
        Footprint.Keys keys = new Footprint.Keys().put(ctx.keys().pool(c), null);
        long inUse = 0;
        for (AllocationBlock b : ipam.blocks(c.version())) {
            if (c.contains(b.cidr())) {
                inUse += b.size() - b.freeCount();
                keys.put(ctx.keys().ipamBlock(b.cidr()), null);
                if (b.host() != null) {
                    keys.put(ctx.keys().ipamAffinity(b.host(), b.cidr()), null);
                }
            }
        }
        if (inUse > 0) {
            throw new IllegalArgumentException("pool " + c + " has " + inUse + " assigned address"
                    + (inUse == 1 ? "" : "es") + "; release them first (javactl ipam show)");
        }
        return new Footprint(kind(), c.keyForm(), keys.map(), List.of());
    }

    @Override
    public List<Resource> list(Ctx ctx) {
        List<Resource> out = new ArrayList<>();
        for (IpPool p : Pools.list(ctx.store(), ctx.keys(), 0)) {
            out.add(new Resource(kind(), Meta.named(p.cidr().keyForm()), Specs.IpPoolSpec.of(p)));
        }
        return out;
    }

    @Override
    public List<String> columns() {
        return List.of("NAME", "CIDR", "IPIPMODE", "VXLANMODE", "NATOUTGOING", "DISABLED", "BLOCKSIZE");
    }

    @Override
    public int narrowColumns() {
        return 3;
    }

    @Override
    public List<Object> row(Resource r) {
        Specs.IpPoolSpec s = (Specs.IpPoolSpec) r.spec();
        return List.of(
                r.metadata().name(),
                s.cidr(),
                s.ipipMode(),
                s.vxlanMode(),
                s.natOutgoing(),
                s.disabled(),
                s.blockSize());
    }
}
