package org.calicojava.bgp;

import org.calicojava.bgp.config.ConfigException;
import org.calicojava.bgp.config.ConfigLoader;
import org.calicojava.bgp.config.SpeakerConfig;
import org.calicojava.bgp.session.AdjRibIn;
import org.calicojava.bgp.session.Speaker;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** {@code bgp-speaker --config FILE}: runs the speaker until SIGTERM/SIGINT, then sends Cease to every peer. */
public final class Main {
    private Main() {}

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
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            speaker.close();
            done.countDown();
        }, "shutdown"));
        done.await();
    }
}
