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
    private ConfdSetup() {
    }

    /**
     * The speaker's reload: SIGHUP to the PID in {@code pidFile} only if that PID's command line is the speaker's
     * (a stale PID file must not make confd signal an unrelated process: it refuses, says so, exits 1), and only once
     * the speaker is ready, i.e. has created its control socket {@code socket} (which node run removes before each
     * start): its SIGHUP handler exists from then on, while a SIGHUP during the JVM's start would end the JVM (exit
     * 129). Nothing to do while the PID file is missing or names the speaker's wrapper still waiting for its first
     * config (the speaker reads the file as it is when it starts).
     */
    static String reloadScript(Path pidFile, Path socket) {
        return "#!/bin/sh\n# written by javactl node run: reload the bgp-speaker of this node\n"
                + "f=" + shellQuote(pidFile.toString()) + "\n"
                + "s=" + shellQuote(socket.toString()) + "\n"
                + "p=$(cat \"$f\" 2>/dev/null) || exit 0\n"
                + "case \"$p\" in ''|*[!0-9]*) exit 0 ;; esac\n"
                + "c=$(tr '\\000' ' ' < /proc/$p/cmdline 2>/dev/null) || exit 0\n"
                + "case \"$c\" in\n"
                + "  *' org.calicojava.bgp.Main '*) ;;\n"
                + "  *'bin/bgp-speaker'*|'') exit 0 ;;\n"
                + "  *) echo \"$f: pid $p is not the bgp-speaker ($c); not signalled\" >&2; exit 1 ;;\n"
                + "esac\n"
                + "i=0\n"
                + "while [ ! -S \"$s\" ]; do\n"
                + "  [ -d /proc/$p ] || exit 0\n"
                + "  i=$((i + 1))\n"
                + "  if [ $i -gt 100 ]; then echo \"bgp-speaker (pid $p) has no control socket $s after 20 s; not signalled\" >&2; exit 1; fi\n"
                + "  sleep 0.2\n"
                + "done\n"
                + "exec kill -HUP \"$p\"\n";
    }

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
                Path pid = runDir.resolve("bgp-speaker.pid");
                Path script = runDir.resolve("reload-bgp-speaker.sh");
                Files.writeString(script, reloadScript(pid, runDir.resolve("bgp-speaker.ctl")));
                // the staged file must pass the speaker's own loaders before it is swapped in
                String check = shellQuote(home.resolve("bin/bgp-speaker").toString()) + " --check --config {{.src}}";
                toml = "[template]\nsrc = \"bgp-speaker.yaml.mustache\"\ndest = \""
                        + tomlEscape(runDir.resolve("bgp-speaker.yaml").toString()) + "\"\nmode = \"0600\"\n" + keys
                        + "check_cmd = \"" + tomlEscape(check) + "\"\n"
                        + "reload_cmd = \"sh " + tomlEscape(shellQuote(script.toString())) + "\"\n";
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
