package org.calicojava.fabric;

import org.junit.jupiter.api.AfterEach;

/** A test with one fabric per test method, torn down after it (also when it fails). */
abstract class FabricCase {
    Fabric f;

    @AfterEach
    void downFabric() {
        if (f != null) {
            f.close();
        }
    }
}
