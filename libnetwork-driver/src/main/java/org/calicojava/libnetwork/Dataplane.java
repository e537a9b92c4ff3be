package org.calicojava.libnetwork;

/**
 * The kernel side of Join/Leave in the network namespace the Docker engine runs in: workload veth pairs.
 * {@link NetlinkDataplane} is the real one; unit tests use an in-memory fake.
 */
public interface Dataplane extends AutoCloseable {
    /**
     * Creates the pair {@code hostName} (up, MAC ee:ee:ee:ee:ee:ee, Calico's per-interface sysctls) and
     * {@code tempName} (the container end, left down for Docker to move and rename). A stale pair of the same host
     * name is replaced. Both ends get {@code mtu} when it is above 0.
     */
    void createVeth(String hostName, String tempName, int mtu);

    /** The MTU of the host's uplink (the interface of its default route), from which the workload MTU follows. */
    int uplinkMtu();

    /** Deletes the pair whose host end is {@code hostName}; false if there was none. */
    boolean deleteVeth(String hostName);

    boolean exists(String name);

    @Override
    void close();
}
