package org.calicojava.bgp.rib;

import org.calicojava.bgp.codec.AsPath;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.policy.PrefixRange;
import org.calicojava.bgp.policy.RouteSource;

/** Local routes: the originated blocks and the kernel routes of learned protocols (not those inside an originated block). */
final class LocalRoutes {
    private final Rib rib;

    LocalRoutes(Rib rib) {
        this.rib = rib;
    }

    /** ORIGIN and an empty AS_PATH. */
    static PathAttributes attrs(int origin) {
        return PathAttributes.builder().origin(origin).asPath(AsPath.EMPTY).build();
    }

    /** Adds (or replaces) the local route of {@code p} from {@code src}. */
    void add(Prefix p, RouteSource src, PathAttributes a) {
        int d = rib.loc.add(p);
        Path old = rib.loc.find(d, null, src, 0);
        PathAttributes raw = rib.intern(a);
        Path now = rib.path(new Path(null, src, 0, raw, rib.filter.localImport(p, src, raw), null, false));
        if (old != now) {
            rib.loc.replace(d, old, now);
        }
        rib.decide(d);
    }

    /** Removes the local route of {@code p} from {@code src}, if any. */
    void remove(Prefix p, RouteSource src) {
        int d = rib.loc.find(p);
        Path path = d < 0 ? null : rib.loc.find(d, null, src, 0);
        if (path != null) {
            rib.drop(d, path);
        }
    }

    /** A kernel route of a learned protocol appeared or disappeared (RIB thread). */
    void kernelRoute(Prefix p, boolean present) {
        if (present && !insideOriginated(p)) {
            add(p, RouteSource.KERNEL, attrs(PathAttributes.ORIGIN_INCOMPLETE));
        } else {
            remove(p, RouteSource.KERNEL);
        }
    }

    private boolean insideOriginated(Prefix p) {
        for (Prefix o : rib.sc.originate()) {
            if (o.family() != p.family() || o.length() > p.length() || o.equals(p)) {
                continue;
            }
            if (new PrefixRange(o, o.length(), o.family().maxPrefixLength()).matches(p)) {
                return true;
            }
        }
        return false;
    }
}
