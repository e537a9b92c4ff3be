package org.calicojava.libnetwork;

/**
 * The kernel side of Join/Leave in the network namespace the Docker engine runs in: workload veth pairs.
 * {@link NetlinkDataplane} is the real one; unit tests use an in-memory fake.
 */
public interface Dataplane extends AutoCloseable {
    /**
     * Creates the pair {@code hostName} (up, MAC ee:ee:ee:ee:ee:ee, Calico's per-interface sysctls, the alias
     * {@code alias} naming what it was made for) and {@code tempName} (the container end, left down for Docker to move
     * and rename). Both ends get {@code mtu} when it is above 0. Never replaces anything: when either name is taken it
     * fails and touches nothing. On any other failure nothing is left.
     */
    void createVeth(String hostName, String tempName, int mtu, String alias);

    /** The alias of link {@code name} ("" when it has none), or empty when there is no such link. */
    java.util.Optional<String> alias(String name);

    /** Sets the alias of link {@code name} (adopting a veth made before veths were tagged). */
    void setAlias(String name, String alias);

    /** The MTU of the host's uplink (the interface of its default route), from which the workload MTU follows. */
    int uplinkMtu();

    /** Deletes the pair whose host end is {@code hostName}; false if there was none. */
    boolean deleteVeth(String hostName);

    boolean exists(String name);

    @Override
    void close();
}
