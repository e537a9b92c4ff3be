package org.calicojava.netlink.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.calicojava.netlink.AlreadyExistsException;
import org.calicojava.netlink.Batch;
import org.calicojava.netlink.BatchException;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.NoSuchDeviceException;
import org.calicojava.netlink.NotFoundException;
import org.calicojava.netlink.Route;
import org.calicojava.netlink.RouteFilter;
import org.junit.jupiter.api.Test;

/** Batches spanning several datagrams, with failures mapped back to the requests that caused them. */
class BatchIT {
    static Route host(int i, int ifindex) {
        return Route.builder(IpPrefix.parse("10.100." + (i / 256) + "." + (i % 256) + "/32"))
                .protocol(77)
                .dev(ifindex)
                .build();
    }

    @Test
    void mapsEachFailureToItsRequestAndAppliesTheRest() {
        try (TestNs ns = new TestNs()) {
            int v0 = ns.nl.createVeth("v0", "v1").index();
            ns.nl.setUp("v0");
            List<Route> good = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                good.add(host(i, v0));
            }
            Route duplicate = good.get(10);
            Route noDevice =
                    Route.builder("10.101.0.0/24").protocol(77).dev(9999).build();
            Route notThere = Route.builder("10.102.0.0/24").protocol(77).dev(v0).build();
            BatchException failed = null;
            Batch batch = ns.nl.batch();
            try {
                for (int i = 0; i < good.size(); i++) {
                    batch.addRoute(good.get(i));
                    if (i == 1499) {
                        batch.addRoute(duplicate); // request #1500
                    } else if (i == 2499) {
                        batch.addRoute(noDevice); // request #2501
                    }
                }
                batch.deleteRoute(notThere); // request #3002
                batch.finish();
            } catch (BatchException e) {
                failed = e;
            }
            assertThat(failed).as("batch exception").isNotNull();
            assertThat(failed.total()).isEqualTo(3003);
            assertThat(failed.failedCount()).isEqualTo(3);
            assertThat(failed.failures())
                    .extracting(BatchException.Failure::index)
                    .containsExactly(1500L, 2501L, 3002L);
            assertThat(failed.failures())
                    .extracting(BatchException.Failure::request)
                    .containsExactly(duplicate, noDevice, notThere);
            assertThat(failed.failures().get(0).error()).isInstanceOf(AlreadyExistsException.class);
            assertThat(failed.failures().get(1).error()).isInstanceOf(NoSuchDeviceException.class);
            assertThat(failed.failures().get(2).error()).isInstanceOf(NotFoundException.class);
            assertThat(failed.getMessage())
                    .startsWith("batch: 3 of 3003 requests failed: #1500 add route 10.100.0.10/32");

            assertThat(ns.nl.routes(RouteFilter.main().withProtocol(77))).hasSize(3000);
            assertThat(ns.ip("route", "show", "proto", "77").lines().count()).isEqualTo(3000);

            try (Batch delete = ns.nl.batch()) {
                good.forEach(delete::deleteRoute);
            }
            assertThat(ns.ip("route", "show", "proto", "77")).isEmpty();
        }
    }
}
