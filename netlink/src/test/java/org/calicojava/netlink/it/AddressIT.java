package org.calicojava.netlink.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.calicojava.netlink.Address;
import org.calicojava.netlink.AlreadyExistsException;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.NotFoundException;
import org.calicojava.netlink.RouteFilter;
import org.junit.jupiter.api.Test;

class AddressIT {

    @Test
    void addsListsAndDeletesAddressesOfBothFamilies() {
        try (TestNs ns = new TestNs()) {
            int v0 = ns.nl.createVeth("v0", "v1").index();
            Address a4 = Address.of(v0, IpPrefix.parse("10.3.0.1/24"));
            Address a6 = Address.of(v0, IpPrefix.parse("fd03::1/64")).withFlags(Address.NODAD);
            ns.nl.addAddress(a4);
            ns.nl.addAddress(a6);
            assertThat(ns.ip("addr", "show", "v0")).contains("inet 10.3.0.1/24 scope global v0", "inet6 fd03::1/64");
            assertThat(ns.nl.addresses(2))
                    .filteredOn(a -> a.ifindex() == v0)
                    .extracting(Address::prefix)
                    .containsExactly(IpPrefix.parse("10.3.0.1/24"));
            assertThat(ns.nl.addresses(RouteFilter.ANY))
                    .filteredOn(a -> a.ifindex() == v0)
                    .extracting(a -> a.prefix().toString())
                    .contains("10.3.0.1/24", "fd03::1/64");

            assertThatThrownBy(() -> ns.nl.addAddress(a4))
                    .isInstanceOf(AlreadyExistsException.class)
                    .hasMessageContaining("address exists (EEXIST)");
            ns.nl.deleteAddress(a4);
            ns.nl.deleteAddress(a6);
            assertThat(ns.ip("addr", "show", "v0")).doesNotContain("10.3.0.1", "fd03::1");
            assertThatThrownBy(() -> ns.nl.deleteAddress(a4))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessageContaining("no such address (EADDRNOTAVAIL)");
        }
    }
}
