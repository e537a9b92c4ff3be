package org.calicojava.confd;

import java.util.TreeMap;
import org.calicojava.model.Keys;

/** Builds etcd key trees for tests in Calico's layout. */
final class Fixtures {
    final Keys keys;
    final TreeMap<String, String> kv = new TreeMap<>();

    Fixtures(Keys keys) {
        this.keys = keys;
    }

    Fixtures() {
        this(new Keys());
    }

    Fixtures node(String name, String v4, String v6) {
        if (v4 != null) {
            kv.put(keys.bgpHostIp(name, 4), v4);
        }
        if (v6 != null) {
            kv.put(keys.bgpHostIp(name, 6), v6);
        }
        return this;
    }

    Fixtures nodeAs(String name, String as) {
        kv.put(keys.bgpHostAsNum(name), as);
        return this;
    }

    Fixtures rr(String name, String clusterId) {
        kv.put(keys.bgpHostRrClusterId(name), clusterId);
        return this;
    }

    Fixtures globalAs(String as) {
        kv.put(keys.bgpGlobalAsNum(), as);
        return this;
    }

    Fixtures mesh(boolean enabled) {
        kv.put(keys.bgpNodeMesh(), "{\"enabled\":" + enabled + "}");
        return this;
    }

    Fixtures globalPeer(String ip, String as) {
        kv.put(keys.bgpGlobalPeer(ip), "{\"ip\":\"" + ip + "\",\"as_num\":\"" + as + "\"}");
        return this;
    }

    Fixtures nodePeer(String node, String ip, String as) {
        kv.put(keys.bgpHostPeer(node, ip), "{\"ip\":\"" + ip + "\",\"as_num\":\"" + as + "\"}");
        return this;
    }

    Fixtures pool(String cidr) {
        org.calicojava.model.Cidr c = org.calicojava.model.Cidr.parse(cidr, true);
        kv.put(keys.pool(c), "{\"cidr\":\"" + cidr + "\",\"ipip\":false,\"masquerade\":true,\"disabled\":false}");
        return this;
    }

    Fixtures block(String node, String cidr) {
        kv.put(keys.ipamAffinity(node, org.calicojava.model.Cidr.parse(cidr, true)), "{\"state\":\"confirmed\"}");
        return this;
    }
}
