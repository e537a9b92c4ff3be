package org.calicojava.bgp;

import org.calicojava.bgp.config.ConfigException;
import org.calicojava.bgp.config.ConfigLoader;
import org.calicojava.bgp.config.SpeakerConfig;
import org.calicojava.bgp.session.AdjRibIn;
import org.calicojava.bgp.session.Speaker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bgp-speaker --config FILE}: runs the speaker until SIGTERM/SIGINT, then sends Cease to every peer. SIGHUP
 * re-reads FILE and applies it without touching sessions whose settings did not change.
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {}

    static void reload(Speaker speaker, Path file) {
        try {
            speaker.reconfigure(ConfigLoader.load(file));
            log.info("reloaded {}", file);
        } catch (ConfigException | IllegalArgumentException e) {
            log.warn("reload of {} refused: {}", file, e.getMessage());
        }
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2 || !args[0].equals("--config")) {
            System.err.println("usage: bgp-speaker --config FILE");
            System.exit(2);
        }
        SpeakerConfig config;
        try {
            config = ConfigLoader.load(Path.of(args[1]));
        } catch (ConfigException e) {
            System.err.println("bgp-speaker: " + args[1] + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        Speaker speaker = new Speaker(config, new AdjRibIn());
        try {
            speaker.start();
        } catch (IllegalStateException e) {
            System.err.println("bgp-speaker: " + e.getMessage());
            System.exit(1);
        }
        Path file = Path.of(args[1]);
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> reload(speaker, file));
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            speaker.close();
            done.countDown();
        }, "shutdown"));
        done.await();
    }
}
