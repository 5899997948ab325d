package dev.loupe.common.tenancy;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Turns a bearer API key (or the bootstrap admin token) into an identity with its project and scopes. */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {
    private final ApiKeyStore store;
    private final TenancyConfig config;

    public ApiKeyIdentityProvider(ApiKeyStore store, TenancyConfig config) {
        this.store = store;
        this.config = config;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(
            TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        String token = request.getToken().getToken();
        if (isBootstrapToken(token)) {
            return Uni.createFrom()
                    .item(QuarkusSecurityIdentity.builder()
                            .setPrincipal(new QuarkusPrincipal("bootstrap"))
                            .addRole(Scope.BOOTSTRAP_ROLE)
                            .build());
        }
        return store.verify(token)
                .map(found -> found.map(key -> (SecurityIdentity) QuarkusSecurityIdentity.builder()
                                .setPrincipal(new QuarkusPrincipal(key.keyId()))
                                .addRoles(Scope.roles(key.scopes()))
                                .addAttribute(Caller.PROJECT_ATTRIBUTE, key.projectId())
                                .build())
                        .orElseThrow(() -> new AuthenticationFailedException("unknown or revoked API key")));
    }

    private boolean isBootstrapToken(String token) {
        return config.bootstrapToken()
                .filter(expected -> !expected.isBlank())
                .map(expected -> MessageDigest.isEqual(
                        expected.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8)))
                .orElse(false);
    }
}
