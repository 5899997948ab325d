package dev.loupe.common.crypto;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** The secret behind personal-identifier hashes ({@code loupe.identifiers.secret}, env {@code LOUPE_IDENTIFIERS_SECRET}). */
@ConfigMapping(prefix = "loupe.identifiers")
public interface IdentifierConfig {
    /**
     * Secret from which each project's HMAC key for user ids is derived. Keep it outside the database and
     * equal in every service that hashes identifiers; changing it changes every stored hash.
     */
    Optional<String> secret();
}
