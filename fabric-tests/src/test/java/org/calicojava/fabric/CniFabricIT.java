package org.calicojava.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 on a fabric: a CNI workload ({@code bin/calico-java-cni ADD} run in h1's namespace, as a runtime would)
 * reaches a {@code javactl container add} workload on h2 and a Docker workload on h3 (a dockerd and the Docker driver
 * in h3's namespace), by ping and TCP, and both reach it; after DEL its route is gone from the other hosts. All three
 * carry the Docker network's profile (a Docker network is a profile named after its id), so Calico's default rules
 * admit them to each other.
 */
class CniFabricIT extends FabricCase {
    @Test
    void cniWorkloadReachesJavactlAndDockerWorkloadsOnOtherHosts() throws Exception {
        f = new Fabric(3);
        f.javactlOk("pool", "add", "10.67.0.0/16");
        try (FabricDocker docker = new FabricDocker(f, 3)) {
            docker.start();
            String net =
                    docker.dockerOk("network", "create", "-d", docker.plugin, "--ipam-driver", docker.plugin, "cjnet");
            docker.dockerOk("run", "-d", "--name", "dw", "--net", "cjnet", "cj-busybox", "sleep", "3600");
            String ipD =
                    docker.dockerOk("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", "dw");
            String ipJ = f.addWorkload(2, "jw", net);
            String conf = f.cniConf(1, "cninet", net);
            String ipC = f.addCniWorkload(1, "cw", conf);
            f.awaitSessions(2, Duration.ofMinutes(3));

            for (String ip : new String[] {ipJ, ipD}) {
                Fabric.eventually(Duration.ofSeconds(60), "the CNI workload reaches " + ip, () -> f.ping(1, "cw", ip));
            }
            Fabric.eventually(
                    Duration.ofSeconds(60), "the javactl workload reaches the CNI one", () -> f.ping(2, "jw", ipC));
            Fabric.eventually(
                    Duration.ofSeconds(60),
                    "the Docker workload reaches the CNI one",
                    () -> docker.docker("exec", "dw", "ping", "-c1", "-W1", ipC).ok());

            // TCP both ways with the javactl workload, and with the Docker one
            assertThat(tcp(f, "h2-jw", ipJ, "h1-cw", "cni-to-javactl")).isTrue();
            assertThat(tcp(f, "h1-cw", ipC, "h2-jw", "javactl-to-cni")).isTrue();
            Process server = docker.dockerProcess("exec", "dw", "nc", "-l", "-p", "5001");
            Thread.sleep(1000);
            Fabric.Result sent = f.inWorkload(1, "cw", "sh", "-c", "echo cni-to-docker | nc -N -w 5 " + ipD + " 5001");
            assertThat(server.waitFor(20, TimeUnit.SECONDS))
                    .as("docker nc ended; client: " + sent.out())
                    .isTrue();
            assertThat(new String(server.getInputStream().readAllBytes())).contains("cni-to-docker");
            Process cniServer = new ProcessBuilder("ip", "netns", "exec", f.ns("h1-cw"), "nc", "-l", "5002")
                    .redirectErrorStream(true)
                    .start();
            Thread.sleep(1000);
            Fabric.Result fromDocker =
                    docker.docker("exec", "dw", "sh", "-c", "echo docker-to-cni | nc -w 5 " + ipC + " 5002");
            assertThat(cniServer.waitFor(20, TimeUnit.SECONDS))
                    .as("nc in the CNI workload ended; docker: " + fromDocker.out())
                    .isTrue();
            assertThat(new String(cniServer.getInputStream().readAllBytes())).contains("docker-to-cni");

            assertThat(f.javactlOk("endpoint", "show")).contains(f.ns("h1-cw"));
            // what the CNI plugin, javactl, the Docker drivers, felix and the nodes wrote: nothing a daemon refuses,
            // every allocated address on its endpoint (3 workloads) and the reverse
            assertThat(f.javactlOk("datastore", "check")).contains(": none refused");
            assertThat(f.javactlOk("ipam", "check"))
                    .contains("3 addresses allocated, 3 in use by endpoints and tunnels", "no problem");
            Fabric.Result del = f.cni(1, "DEL", "cw", conf);
            assertThat(del.ok()).as(del.out()).isTrue();
            Fabric.eventually(
                    Duration.ofSeconds(60),
                    "the CNI workload's route gone from h2",
                    () -> !f.routes(2).contains(ipC + " "));
            assertThat(f.javactlOk("endpoint", "show")).doesNotContain(f.ns("h1-cw"));
            assertThat(f.javactlOk("ipam", "check"))
                    .contains("2 addresses allocated, 2 in use by endpoints and tunnels", "no problem");
        }
    }

    /** An nc server in workload {@code to} (at {@code ip}), a line sent from {@code from}: true if it arrived. */
    private static boolean tcp(Fabric f, String to, String ip, String from, String token) throws Exception {
        Process server = new ProcessBuilder("ip", "netns", "exec", f.ns(to), "nc", "-l", "5000")
                .redirectErrorStream(true)
                .start();
        try {
            Thread.sleep(1000);
            Fabric.sh("ip", "netns", "exec", f.ns(from), "sh", "-c", "echo " + token + " | nc -N -w 5 " + ip + " 5000");
            return server.waitFor(20, TimeUnit.SECONDS)
                    && new String(server.getInputStream().readAllBytes()).contains(token);
        } finally {
            server.destroyForcibly();
        }
    }
}
