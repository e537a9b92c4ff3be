package org.calicojava.felix.it;

import org.calicojava.model.Keys;
import org.calicojava.store.JetcdStore;

/** The etcd records the felix ITs write: a profile tagged with its own name, and a workload endpoint. */
final class Records {
    private Records() {}

    static void profile(JetcdStore store, Keys keys, String name, String rulesJson) {
        store.put(keys.profileRules(name), rulesJson);
        store.put(keys.profileTags(name), "[\"" + name + "\"]");
    }

    /** An active endpoint on {@code iface} with one profile, an IPv4 /32 and (unless null) an IPv6 /128. */
    static String endpoint(String iface, String profile, String ipv4, String ipv6) {
        return "{\"state\":\"active\",\"name\":\"" + iface + "\",\"mac\":\"ee:ee:ee:ee:ee:ee\",\"profile_ids\":[\""
                + profile + "\"],\"ipv4_nets\":[\"" + ipv4 + "/32\"]"
                + (ipv6 == null ? "" : ",\"ipv6_nets\":[\"" + ipv6 + "/128\"]") + "}";
    }
}
