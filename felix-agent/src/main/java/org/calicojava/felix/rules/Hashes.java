package org.calicojava.felix.rules;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Rule hashes as Calico writes them ({@code -m comment --comment "cali:HASH"}): each rule's hash covers the chain
 * name, the previous rule's hash and the rule's text, so reading the hashes back tells whether a chain is exactly
 * what we wrote (order included).
 */
public final class Hashes {
    private static final ThreadLocal<MessageDigest> SHA = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private Hashes() {}

    /** 16 characters of base64url(SHA-256(text)). */
    public static String short16(String text) {
        return hash(text, 16);
    }

    /** {@code length} (at most 43) characters of base64url(SHA-256(text)). */
    public static String hash(String text, int length) {
        byte[] d = SHA.get().digest(text.getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, length);
    }

    public static List<String> ruleHashes(Chain chain) {
        List<String> out = new ArrayList<>(chain.rules().size());
        String prev = chain.name();
        for (Rule r : chain.rules()) {
            prev = short16(prev + "\n" + r.text());
            out.add(prev);
        }
        return out;
    }
}
