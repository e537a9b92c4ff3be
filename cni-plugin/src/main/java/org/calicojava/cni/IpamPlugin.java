package org.calicojava.cni;

import java.util.List;
import org.calicojava.model.Cidr;

/**
 * calico-java-ipam as a stand-alone CNI IPAM plugin (for a runtime or another network plugin that delegates to it):
 * ADD answers the handle's addresses (assigning them once), DEL releases them, CHECK verifies the handle has some.
 * calico-java-cni runs the same {@link CalicoIpam} in its own process instead of forking this.
 */
final class IpamPlugin {
    private IpamPlugin() {}

    static Result add(Context c) {
        List<Cidr> got = ipam(c).assign(c.env, c.conf.ipam(), CalicoIpam.IPAM_PLUGIN);
        return new Result(
                List.of(),
                got.stream()
                        .map(a -> new Result.IpConfig(a, a.toString(), null, -1))
                        .toList(),
                List.of());
    }

    static void del(Context c) {
        ipam(c).releaseAttachment(c.env, null);
    }

    static void check(Context c) {
        if (ipam(c).addressesOfAttachment(c.env).isEmpty()) {
            throw new CniException(
                    CniException.CHECK_FAILED, "CHECK: handle " + CalicoIpam.handle(c.env) + " has no addresses");
        }
    }

    private static CalicoIpam ipam(Context c) {
        return new CalicoIpam(c.store(), c.keys(), c.host());
    }
}
