package org.calicojava.felix.encap;

import java.util.List;
import java.util.Map;
import org.calicojava.model.Cidr;
import org.calicojava.netlink.MacAddress;

/**
 * What VXLAN mode wants for one IP family ({@link VxlanCalc}'s result): the device (or none), the routes to remote
 * blocks, and the remote VTEPs' neighbour and FDB entries; plus what this host's tunnel records need.
 *
 * @param version    4 or 6
 * @param device     the vxlan device to have, or null: none (removed if present)
 * @param routes     remote block to its next hop
 * @param neighbours remote tunnel address to the remote VTEP's MAC (permanent entries on the device)
 * @param fdb        remote VTEP MAC to the remote host's address (FDB entries on the device)
 * @param tunnel     what this host's tunnel address and MAC records need
 * @param problems   data problems found (one log line each when they appear)
 */
public record VxlanPlan(
        int version,
        Device device,
        Map<Cidr, Hop> routes,
        Map<Cidr, MacAddress> neighbours,
        Map<MacAddress, Cidr> fdb,
        Tunnel tunnel,
        List<String> problems) {
    public static final int VNI = 4096;
    public static final int PORT = 4789;

    public VxlanPlan {
        routes = Map.copyOf(routes);
        neighbours = Map.copyOf(neighbours);
        fdb = Map.copyOf(fdb);
        problems = List.copyOf(problems);
    }

    /** The device name of a family: {@code vxlan.calico} or {@code vxlan-v6.calico}. */
    public static String deviceName(int version) {
        return version == 4 ? "vxlan.calico" : "vxlan-v6.calico";
    }

    /** Bytes the encapsulation takes: 50 (IPv4 outer header) or 70 (IPv6). */
    public static int overhead(int version) {
        return version == 4 ? 50 : 70;
    }

    /**
     * The local VTEP.
     *
     * @param tunnelAddr this host's tunnel address (a host CIDR), on the device
     * @param mac        the device's MAC
     * @param hostAddr   this host's address: the device's local address, its uplink is the interface holding it
     */
    public record Device(Cidr tunnelAddr, MacAddress mac, Cidr hostAddr) {}

    /**
     * A route's next hop.
     *
     * @param gateway remote tunnel address (through the device, onlink) or remote host address (native)
     * @param tunnel  through the vxlan device; false: native, cross-subnet mode to a host on this subnet
     */
    public record Hop(Cidr gateway, boolean tunnel) {}

    /**
     * This host's tunnel records.
     *
     * @param wanted    an enabled (not disabled) VXLAN pool of this family exists: a tunnel address is needed
     * @param anyPool   a VXLAN pool of this family exists at all (else the address is released)
     * @param addr      the valid tunnel address recorded, or null
     * @param addrText  the tunnel address as written (valid or not), or null
     * @param macValid  a valid MAC is recorded
     */
    public record Tunnel(boolean wanted, boolean anyPool, Cidr addr, String addrText, boolean macValid) {}
}
