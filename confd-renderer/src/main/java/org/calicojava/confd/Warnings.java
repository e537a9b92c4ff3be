package org.calicojava.confd;

import java.util.ArrayList;
import java.util.List;

/** Problems with individual etcd values found while building a context (the value is skipped, rendering goes on). */
public final class Warnings {
    private final List<String> items = new ArrayList<>();

    public void add(String message) {
        items.add(message);
    }

    public List<String> list() {
        return List.copyOf(items);
    }
}
