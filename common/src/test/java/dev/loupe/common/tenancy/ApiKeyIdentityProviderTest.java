package dev.loupe.common.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.common.crypto.Hmac;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The bootstrap token matches only exactly (a near miss is looked up as an API key, and refused), and stored key
 * digests compare equal only when identical; both comparisons are {@code MessageDigest.isEqual}, whose time does
 * not depend on where the inputs differ (that property is the JDK's; a tampered key against the real store is
 * e2e {@code AuthorizationMatrixIT}'s "tampered" caller).
 */
class ApiKeyIdentityProviderTest {
    private static final String PEPPER = "pepper-for-tests";
    private static final String TOKEN = "bootstrap-0123456789abcdef0123456789abcdef";

    private final List<String> looked = new ArrayList<>();
    private final ApiKeys.Generated key = ApiKeys.generate();
    private final TenancyConfig config = new TenancyConfig() {
        public String pepper() {
            return PEPPER;
        }

        public Optional<String> bootstrapToken() {
            return Optional.of(TOKEN);
        }

        public Duration cacheTtl() {
            return Duration.ofSeconds(30);
        }

        public Duration staleIfError() {
            return Duration.ofMinutes(10);
        }
    };
    /** No key is known: what is not the bootstrap token is looked up as a key, and refused. */
    private final ApiKeyStore store = new ApiKeyStore(null, config, new TenancyClock()) {
        @Override
        public Uni<Optional<StoredKey>> verify(String presented) {
            looked.add(presented);
            return Uni.createFrom().item(Optional.empty());
        }
    };

    private final ApiKeyIdentityProvider provider = new ApiKeyIdentityProvider(store, config);

    @Test
    void theBootstrapTokenMatchesOnlyExactly() {
        assertThat(authenticate(TOKEN).getRoles()).containsExactly(Scope.BOOTSTRAP_ROLE);
        for (String near : List.of(TOKEN.substring(0, TOKEN.length() - 1), TOKEN + "0", TOKEN.toUpperCase(), "")) {
            assertThatThrownBy(() -> authenticate(near)).as(near).isInstanceOf(AuthenticationFailedException.class);
        }
        assertThat(looked).hasSize(4).doesNotContain(TOKEN);
    }

    @Test
    void digestsCompareEqualOnlyWhenIdentical() {
        String digest = ApiKeys.hash(PEPPER, key.key());
        assertThat(Hmac.constantTimeEquals(digest, ApiKeys.hash(PEPPER, key.key())))
                .isTrue();
        assertThat(Hmac.constantTimeEquals(digest, digest.substring(0, 63) + "x"))
                .isFalse();
        assertThat(Hmac.constantTimeEquals(digest, digest.substring(0, 32))).isFalse();
        assertThat(Hmac.constantTimeEquals(digest, null)).isFalse();
        assertThat(digest)
                .isNotEqualTo(ApiKeys.hash("another-pepper", key.key()))
                .doesNotContain(key.key());
    }

    private SecurityIdentity authenticate(String token) {
        return provider.authenticate(new TokenAuthenticationRequest(new TokenCredential(token, "bearer")), null)
                .await()
                .indefinitely();
    }
}
