package dev.loupe.alerting.alerts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** An alert's identity: 16 hex digits of SHA-256 over its rule and sorted labels (Alertmanager's width). */
public final class Fingerprints {
    private Fingerprints() {}

    public static String of(String ruleId, Map<String, String> labels) {
        StringBuilder text = new StringBuilder(ruleId);
        new TreeMap<>(labels)
                .forEach((k, v) -> text.append('\u0000').append(k).append('=').append(v));
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
