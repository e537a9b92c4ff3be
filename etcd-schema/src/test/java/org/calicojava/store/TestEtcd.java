package org.calicojava.store;

import java.util.UUID;
import org.calicojava.model.Keys;

/** The etcd that scripts/test started (ETCD_ENDPOINTS); each test uses its own random root prefix. */
public final class TestEtcd {
    private TestEtcd() {}

    public static String endpoints() {
        String e = System.getenv("ETCD_ENDPOINTS");
        if (e == null || e.isBlank()) {
            throw new IllegalStateException("ETCD_ENDPOINTS is not set: run the integration tests through scripts/test,"
                    + " which starts etcd");
        }
        return e;
    }

    public static EtcdConfig config() {
        return EtcdConfig.of(endpoints());
    }

    /** A fresh key root like /cj-test-1a2b3c4d so tests do not see each other's keys. */
    public static Keys freshKeys() {
        return new Keys("/cj-test-" + UUID.randomUUID().toString().substring(0, 8));
    }
}
