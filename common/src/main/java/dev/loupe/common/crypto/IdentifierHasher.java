package dev.loupe.common.crypto;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Hashes personal identifiers (user ids) with HMAC-SHA-256 under a per-project key derived from a secret
 * kept outside the database: the same user hashes alike within a project and differently across projects,
 * and the hashes cannot be reversed by enumerating likely ids.
 */
@ApplicationScoped
public class IdentifierHasher {
    private final IdentifierConfig config;
    private final java.util.Map<String, String> projectKeys = new java.util.concurrent.ConcurrentHashMap<>();

    public IdentifierHasher(IdentifierConfig config) {
        this.config = config;
    }

    public String hash(String projectId, String identifier) {
        if (identifier == null) {
            return null;
        }
        return Hmac.sha256Hex(projectKeys.computeIfAbsent(projectId, this::projectKey), identifier);
    }

    private String projectKey(String projectId) {
        String secret = config.secret()
                .filter(s -> !s.isBlank())
                .orElseThrow(() -> new IllegalStateException(
                        "loupe.identifiers.secret (env LOUPE_IDENTIFIERS_SECRET) must be set to hash user ids"));
        return Hmac.sha256Hex(secret, "project:" + projectId);
    }
}
