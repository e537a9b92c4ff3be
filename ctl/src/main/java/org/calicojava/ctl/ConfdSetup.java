package org.calicojava.ctl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a node's own confd directory into its run directory: a template resource for the chosen BGP backend whose
 * dest, check and reload commands point into the run directory (so several nodes can run on one machine), and a
 * link to the shipped templates. The rendered file is written 0600 (it may hold BGP passwords); the staged file must
 * pass {@code bin/bgp-speaker --check} (or {@code bird -p}) before it is swapped in.
 */
final class ConfdSetup {
    private ConfdSetup() {}

    /** A single-quoted sh word. */
    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** The inside of a TOML basic string. */
    static String tomlEscape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
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
                // as the shipped resource: the reload command of the speaker's control socket (exit 0 when it reloaded
                // or no speaker listens there yet, 1 when it refused or did not answer); no PID file, no signal
                String reload = shellQuote(home.resolve("bin/bgp-speaker").toString()) + " --reload "
                        + shellQuote(runDir.resolve("bgp-speaker.ctl").toString());
                // the staged file must pass the speaker's own loaders before it is swapped in
                String check = shellQuote(home.resolve("bin/bgp-speaker").toString()) + " --check --config {{.src}}";
                toml = "[template]\nsrc = \"bgp-speaker.yaml.mustache\"\ndest = \""
                        + tomlEscape(runDir.resolve("bgp-speaker.yaml").toString()) + "\"\nmode = \"0600\"\n" + keys
                        + "check_cmd = \"" + tomlEscape(check) + "\"\n"
                        + "reload_cmd = \"" + tomlEscape(reload) + "\"\n";
            } else {
                Path ctl = runDir.resolve("bird.ctl");
                String c = shellQuote(ctl.toString());
                toml = "[template]\nsrc = \"bird.conf.mustache\"\ndest = \""
                        + tomlEscape(runDir.resolve("bird.conf").toString()) + "\"\nmode = \"0600\"\n" + keys
                        + "check_cmd = \"bird -p -c {{.src}}\"\n"
                        + "reload_cmd = \"" + tomlEscape("if [ -S " + c + " ]; then birdc -s " + c + " configure; fi")
                        + "\"\n";
            }
            Files.writeString(confd.resolve("conf.d/" + backend + ".toml"), toml);
            return confd;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
