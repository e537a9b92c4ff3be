package org.calicojava.felix.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * What a phase of the bench costs the heap: the bytes allocated meanwhile by the threads alive at its end (a thread
 * that ended before, such as a namespace call's, is not counted) and the collections, with their pauses.
 */
record Heap(Map<Long, Long> allocatedByThread, long collections, long collectionMillis) {
    static Heap now() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = threads.getAllThreadIds();
        long[] bytes = threads.getThreadAllocatedBytes(ids);
        Map<Long, Long> byThread = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0) {
                byThread.put(ids[i], bytes[i]);
            }
        }
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new Heap(byThread, count, millis);
    }

    /** "N MB allocated, K collections with P ms of pauses" since {@code before}. */
    String since(Heap before) {
        long allocated = 0;
        for (Map.Entry<Long, Long> e : allocatedByThread.entrySet()) {
            allocated += e.getValue() - before.allocatedByThread.getOrDefault(e.getKey(), 0L);
        }
        return String.format(
                "%d MB allocated by the threads alive at the end, %d collections with %d ms of pauses",
                allocated / 1_000_000, collections - before.collections, collectionMillis - before.collectionMillis);
    }
}
