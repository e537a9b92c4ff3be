package org.calicojava.ctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.calicojava.model.Json;
import org.calicojava.model.Names;
import org.calicojava.store.KeyValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
        name = "tag",
        description = "Show, add or remove a profile's tags.",
        subcommands = {ProfileTagCommand.Show.class, ProfileTagCommand.Add.class, ProfileTagCommand.Remove.class})
final class ProfileTagCommand {

    abstract static class TagSub extends Sub {
        String profile() {
            return ProfileCommand.existing(
                    this, (ProfileCommand) spec.parent().parent().userObject());
        }

        List<String> tags(String profile) {
            return store().get(keys().profileTags(profile))
                    .map(kv -> List.of(Json.read(kv.value(), String[].class)))
                    .orElse(List.of());
        }

        /** Read-modify-write of the tags key with compare-and-swap, retried on conflict. */
        void change(String profile, UnaryOperator<List<String>> f) {
            for (int attempt = 0; attempt < 10; attempt++) {
                Optional<KeyValue> kv = store().get(keys().profileTags(profile));
                List<String> tags = new ArrayList<>(kv.map(k -> List.of(Json.read(k.value(), String[].class)))
                        .orElse(List.of()));
                List<String> next = f.apply(tags);
                try {
                    if (kv.isPresent()) {
                        store().update(
                                        keys().profileTags(profile),
                                        Json.write(next),
                                        kv.get().modRevision());
                    } else {
                        store().create(keys().profileTags(profile), Json.write(next));
                    }
                    return;
                } catch (org.calicojava.store.RevisionConflictException | org.calicojava.store.KeyExistsException e) {
                    // changed meanwhile: read again
                }
            }
            throw fail("profile " + profile + " tags kept changing; try again");
        }
    }

    @Command(name = "show", description = "Show the profile's tags.")
    static final class Show extends TagSub {
        @Mixin
        Format format;

        @Override
        public void run() {
            Table t = new Table("Tag");
            tags(profile()).forEach(t::row);
            t.print(out(), format.value());
        }
    }

    @Command(name = "add", description = "Add a tag to the profile.")
    static final class Add extends TagSub {
        @Parameters(paramLabel = "TAG")
        String tag;

        @Override
        public void run() {
            String t = Names.check("tag", tag);
            String p = profile();
            if (tags(p).contains(t)) {
                throw fail("profile " + p + " already has tag " + t);
            }
            change(p, tags -> {
                if (!tags.contains(t)) {
                    tags.add(t);
                }
                return tags;
            });
            out().println("Tag " + t + " added to profile " + p);
        }
    }

    @Command(name = "remove", description = "Remove a tag from the profile.")
    static final class Remove extends TagSub {
        @Parameters(paramLabel = "TAG")
        String tag;

        @Override
        public void run() {
            String p = profile();
            if (!tags(p).contains(tag)) {
                throw fail("profile " + p + " has no tag " + tag);
            }
            change(p, tags -> {
                tags.remove(tag);
                return tags;
            });
            out().println("Tag " + tag + " removed from profile " + p);
        }
    }
}
