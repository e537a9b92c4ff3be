package org.calicojava.confd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.calicojava.model.Keys;
import org.calicojava.process.CommandRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reload-owed marker's edge cases, on real files with a counting reload command (the whole daemon and etcd:
 * ConfdReloadRetryIT): a marker that cannot be removed costs one reload per confd process, not one per pass; a marker
 * of a resource that has no reload_cmd any more is removed.
 */
class ReloadOwedTest {
    @TempDir
    Path tmp;

    final Keys keys = new Keys();
    final List<String> reloads = new ArrayList<>();
    final CommandRunner runner = (argv, stdin, timeout) -> {
        reloads.add(String.join(" ", argv));
        return new CommandRunner.Result(0, "", "");
    };

    private List<TemplateResource> resources(String reloadLine) throws Exception {
        Path confdir = ConfdHarness.peersConfdir(tmp, "keys = [\"/bgp/v1/host\"]\n" + reloadLine);
        return new ResourceLoader(confdir, "me", keys.root(), tmp.resolve("out")).load();
    }

    private ResourceProcessor processor() {
        return new ResourceProcessor(
                keys, "me", new TemplateRenderer(tmp.resolve("confd/templates")), runner, Duration.ofSeconds(5));
    }

    private TreeMap<String, String> kv() {
        return new TreeMap<>(new Fixtures(keys).node("me", "10.0.0.1", null).node("b", "10.0.0.2", null).kv);
    }

    @Test
    void aMarkerThatCannotBeRemovedCostsOneReloadPerProcess() throws Exception {
        List<TemplateResource> rs = resources("reload_cmd = \"true\"\n");
        processor().process(rs, kv()); // writes the file and reloads
        assertThat(reloads).hasSize(1);
        Path marker = FileSwapper.reloadOwed(rs.get(0).dest());
        assertThat(marker).doesNotExist();
        Files.createDirectories(marker.resolve("stuck")); // a non-empty directory: deleting it fails

        ResourceProcessor next = processor(); // as a confd started again
        for (int i = 0; i < 5; i++) {
            assertThat(next.process(rs, kv()).get("peers"))
                    .isEqualTo(i == 0 ? ResourceProcessor.Result.WRITTEN : ResourceProcessor.Result.UNCHANGED);
        }
        assertThat(reloads)
                .as("the owed reload once, then none for the same bytes")
                .hasSize(2);
        assertThat(marker).isDirectory();
    }

    @Test
    void theMarkerOfAResourceWithoutAReloadCommandIsRemoved() throws Exception {
        List<TemplateResource> rs = resources("");
        processor().process(rs, kv());
        Path marker = FileSwapper.reloadOwed(rs.get(0).dest());
        Files.writeString(marker, ""); // left from when the resource had a reload_cmd
        assertThat(processor().process(rs, kv()).get("peers")).isEqualTo(ResourceProcessor.Result.UNCHANGED);
        assertThat(marker).doesNotExist();
        assertThat(reloads).isEmpty();
    }
}
