package org.calicojava.ctl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a node's own confd directory into its run directory: a template resource for the chosen BGP backend whose
 * dest, check and reload commands point into the run directory (so several nodes can run on one machine), and a
 * link to the shipped templates.
 */
final class ConfdSetup {
    private ConfdSetup() {
    }

    static Path write(Path runDir, Path home, String backend) {
        Path confd = runDir.resolve("confd");
        try {
            Files.createDirectories(confd.resolve("conf.d"));
            Path templates = confd.resolve("templates");
            Files.deleteIfExists(templates);
            Files.createSymbolicLink(templates, home.resolve("confd-renderer/etc/confd/templates"));
            String keys = "keys = [\"/bgp/v1/host\", \"/bgp/v1/global\", \"/v1/ipam\", \"/ipam/v2/host/NODENAME\"]\n";
            String toml;
            if (backend.equals("java")) {
                Path pid = runDir.resolve("bgp-speaker.pid");
                toml = "[template]\nsrc = \"bgp-speaker.yaml.mustache\"\ndest = \"" + runDir.resolve("bgp-speaker.yaml")
                        + "\"\nmode = \"0644\"\n" + keys
                        + "reload_cmd = \"p=" + pid + "; if [ -s $p ]; then kill -HUP $(cat $p); fi\"\n";
            } else {
                Path ctl = runDir.resolve("bird.ctl");
                toml = "[template]\nsrc = \"bird.conf.mustache\"\ndest = \"" + runDir.resolve("bird.conf")
                        + "\"\nmode = \"0644\"\n" + keys + "check_cmd = \"bird -p -c {{.src}}\"\n"
                        + "reload_cmd = \"if [ -S " + ctl + " ]; then birdc -s " + ctl + " configure; fi\"\n";
            }
            Files.writeString(confd.resolve("conf.d/" + backend + ".toml"), toml);
            return confd;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
