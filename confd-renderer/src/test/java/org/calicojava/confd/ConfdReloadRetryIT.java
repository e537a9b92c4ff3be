package org.calicojava.confd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload_cmd that fails is retried (the real {@code bin/confd-renderer} against a real etcd): the reload script fails
 * its first three calls and records each one (time and the file it was run for); confd's first render and a new peer
 * written right after it both fail to reload, the new file's reload is retried with backoff until it succeeds, then
 * nothing more runs; the metrics show the pending reload while it lasts.
 */
class ConfdReloadRetryIT {
    @TempDir
    Path dir;

    int metricsPort;

    @Test
    void aFailedReloadIsRetriedWithBackoffUntilItSucceeds() throws Exception {
        try (ConfdHarness h = new ConfdHarness(dir)) {
            Path calls = dir.resolve("calls");
            Path script = dir.resolve("flaky-reload.sh");
            Path dest = h.speakerFile("me");
            // fails the first 3 calls; each call records its time and the bytes of the file it reloads
            Files.writeString(
                    script,
                    "echo \"$(date +%s.%N) $(md5sum < '" + dest + "' | cut -c1-32)\" >> '" + calls + "'\n"
                            + "n=$(wc -l < '" + calls + "')\n"
                            + "if [ \"$n\" -le 3 ]; then echo \"speaker not ready ($n)\" >&2; exit 1; fi\n");
            h.speakerOnly("sh " + script);
            h.put(h.keys.bgpGlobalAsNum(), "64512");
            h.node("me", "10.0.0.1", null);
            h.node("n2", "10.0.0.2", null);
            try (ServerSocket s = new ServerSocket(0)) {
                metricsPort = s.getLocalPort();
            }
            List<String> argv = new java.util.ArrayList<>(
                    List.of(ConfdBadInputIT.HOME.resolve("bin/confd-renderer").toString()));
            argv.addAll(List.of(
                    h.args("me", "--metrics-port", Integer.toString(metricsPort), "--metrics-host", "127.0.0.1")));
            Process confd = new ProcessBuilder(argv)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("confd.log").toFile())
                    .start();
            try {
                SpeakerReloadIT.await(
                        "the first reload attempt", () -> lines(calls).size() >= 1);
                // a new render while the first reload is pending: it replaces it (its own reload, no second one)
                h.put(h.keys.bgpGlobalPeer("192.0.2.7"), "{\"ip\":\"192.0.2.7\",\"as_num\":\"65007\"}");
                SpeakerReloadIT.await(
                        "the new peer in the file",
                        () -> ConfdHarness.read(dest).contains("192.0.2.7"));
                SpeakerReloadIT.await("a pending reload in the metrics", () -> metric("confd_reloads_pending") == 1);
                SpeakerReloadIT.await("the successful retry", () -> lines(calls).size() >= 4);
                Thread.sleep(5000); // long enough for a few more retries (or a storm) if the success were not noticed
                List<String> c = lines(calls);
                assertThat(c)
                        .as("calls: 2 failed writes' reloads, 1 failed retry, 1 success")
                        .hasSize(4);
                String finalSum = Sh.ok("sh", "-c", "md5sum < '" + dest + "' | cut -c1-32")
                        .trim();
                assertThat(ConfdHarness.read(dest)).contains("192.0.2.7");
                assertThat(c.get(0).split(" ")[1]).as("the first file").isNotEqualTo(finalSum);
                for (String call : c.subList(1, 4)) {
                    assertThat(call.split(" ")[1])
                            .as("each later call reloads the final file")
                            .isEqualTo(finalSum);
                }
                double t1 = time(c.get(1)), t2 = time(c.get(2)), t3 = time(c.get(3));
                assertThat(t2 - t1).as("first retry after the backoff of 1 s").isGreaterThanOrEqualTo(0.9);
                assertThat(t3 - t2).as("second retry after 2 s").isGreaterThanOrEqualTo(1.9);
                assertThat(metric("confd_reloads_pending")).isEqualTo(0);
                assertThat(metric("confd_reloads_total\\{resource=\"bgp-speaker\"\\}"))
                        .isEqualTo(1);
                assertThat(metric("confd_failures_total\\{resource=\"bgp-speaker\",stage=\"reload\"\\}"))
                        .isEqualTo(3);
                String log = Files.readString(dir.resolve("confd.log"));
                assertThat(log)
                        .contains("but reload_cmd failed (exit 1): \"speaker not ready (2)\"; retrying in 1000 ms");
                assertThat(log).contains("reload_cmd failed again (attempt 2, exit 1: \"speaker not ready (3)\")");
                assertThat(log).contains("reloaded " + dest + " after 2 failed attempt(s)");
            } finally {
                Sh.stop(confd, 15);
            }
        }
    }

    /**
     * A reload that failed is owed across a restart of confd: the file is in place, so the next confd renders the same
     * bytes, yet reloads once (the marker beside the file says it is owed), and only once.
     */
    @Test
    void aReloadThatFailedBeforeARestartRunsOnTheNextStart() throws Exception {
        try (ConfdHarness h = new ConfdHarness(dir)) {
            Path calls = dir.resolve("calls");
            Path broken = dir.resolve("speaker-down");
            Path script = dir.resolve("reload.sh");
            Path dest = h.speakerFile("me");
            Files.writeString(
                    script,
                    "echo call >> '" + calls + "'\n" + "if [ -e '" + broken
                            + "' ]; then echo 'speaker not ready' >&2; exit 1; fi\n");
            h.speakerOnly("sh " + script);
            h.put(h.keys.bgpGlobalAsNum(), "64512");
            h.node("me", "10.0.0.1", null);
            String[] onetime = h.args("me", "--onetime");
            Path owed = FileSwapper.reloadOwed(dest);
            Files.writeString(broken, "");
            assertThat(Main.run(onetime)).as("the reload fails").isEqualTo(1);
            assertThat(ConfdHarness.read(dest)).contains("routerId: \"10.0.0.1\"");
            assertThat(owed).exists();
            assertThat(lines(calls)).hasSize(1);

            Files.delete(broken);
            assertThat(Main.run(onetime))
                    .as("same bytes, the owed reload runs and succeeds")
                    .isZero();
            assertThat(lines(calls)).hasSize(2);
            assertThat(owed).doesNotExist();

            assertThat(Main.run(onetime))
                    .as("nothing owed, nothing changed: no reload")
                    .isZero();
            assertThat(lines(calls)).hasSize(2);
            try (var files = Files.list(dest.getParent())) {
                assertThat(files.map(f -> f.getFileName().toString()))
                        .as("no marker or temp file left beside the file")
                        .containsExactly(dest.getFileName().toString());
            }
        }
    }

    static List<String> lines(Path p) {
        try {
            return Files.exists(p) ? Files.readAllLines(p) : List.of();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    static double time(String call) {
        return Double.parseDouble(call.split(" ")[0]);
    }

    double metric(String name) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(r.body());
            return m.find() ? Double.parseDouble(m.group(1)) : 0;
        } catch (Exception e) {
            return -1;
        }
    }
}
