package dev.loupe.common.tenancy;

import dev.loupe.common.crypto.Hmac;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * API key format and hashing. A key reads {@code lk_<16 hex key id>_<48 hex secret>}; the id is
 * the lookup handle, and only HMAC-SHA-256(pepper, key) is stored.
 */
public final class ApiKeys {
    public static final String PREFIX = "lk_";
    private static final int ID_HEX = 16;
    private static final int SECRET_HEX = 48;

    private ApiKeys() {}

    /** A freshly generated key: {@code id} is stored in clear, {@code secret} is shown once. */
    public record Generated(String keyId, String key) {}

    public static Generated generate() {
        String id = randomHex(ID_HEX);
        return new Generated(id, PREFIX + id + "_" + randomHex(SECRET_HEX));
    }

    /** The key id of a well-formed key, empty for anything else. */
    public static Optional<String> keyId(String key) {
        if (key == null
                || key.length() != PREFIX.length() + ID_HEX + 1 + SECRET_HEX
                || !key.startsWith(PREFIX)
                || key.charAt(PREFIX.length() + ID_HEX) != '_') {
            return Optional.empty();
        }
        String id = key.substring(PREFIX.length(), PREFIX.length() + ID_HEX);
        return isHex(id) && isHex(key.substring(PREFIX.length() + ID_HEX + 1)) ? Optional.of(id) : Optional.empty();
    }

    public static String hash(String pepper, String key) {
        return Hmac.sha256Hex(pepper, key);
    }

    public static String newProjectId() {
        return "p-" + randomHex(12);
    }

    /**
     * A new {@link SecureRandom} per call, never one in a static field: Quarkus initialises classes while building a
     * native image, so a static generator would be seeded at build time and frozen into the executable (GraalVM
     * refuses that image). Keys and project ids are made a handful of times a day; the instance is cheap, as every
     * instance draws from the operating system's one entropy source.
     */
    static String randomHex(int chars) {
        byte[] bytes = new byte[chars / 2];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0 || Character.isUpperCase(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
