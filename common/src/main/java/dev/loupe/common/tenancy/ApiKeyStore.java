package dev.loupe.common.tenancy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.loupe.common.crypto.Hmac;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** Reads keys from schema {@code tenancy} (read-only) and checks them, with a short cache. */
@ApplicationScoped
public class ApiKeyStore {
    private static final String LOOKUP = "select project_id, key_hash, scopes from tenancy.api_keys "
            + "where key_id = $1 and revoked_at is null";

    private final Pool pool;
    private final TenancyConfig config;
    private final Cache<String, Optional<StoredKey>> cache;

    public ApiKeyStore(Pool pool, TenancyConfig config) {
        this.pool = pool;
        this.config = config;
        this.cache = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(config.cacheTtl()).build();
    }

    /** A key as stored: its project, its hash and its scopes. */
    public record StoredKey(String keyId, String projectId, String keyHash, Set<Scope> scopes) {
    }

    /** The key's identity when the key is well formed, known, not revoked and its hash matches. */
    public Uni<Optional<StoredKey>> verify(String key) {
        Optional<String> keyId = ApiKeys.keyId(key);
        if (keyId.isEmpty()) {
            return Uni.createFrom().item(Optional.empty());
        }
        String presented = ApiKeys.hash(config.pepper(), key);
        Optional<StoredKey> cached = cache.getIfPresent(keyId.get());
        Uni<Optional<StoredKey>> stored = cached != null ? Uni.createFrom().item(cached) : load(keyId.get());
        return stored.map(found -> found.filter(k -> Hmac.constantTimeEquals(k.keyHash(), presented)));
    }

    private Uni<Optional<StoredKey>> load(String keyId) {
        return pool.preparedQuery(LOOKUP).execute(Tuple.of(keyId))
                .map(rows -> toKey(keyId, rows))
                .invoke(found -> cache.put(keyId, found));
    }

    private static Optional<StoredKey> toKey(String keyId, RowSet<Row> rows) {
        if (rows.size() == 0) {
            return Optional.empty();
        }
        Row row = rows.iterator().next();
        EnumSet<Scope> scopes = EnumSet.noneOf(Scope.class);
        Arrays.stream(row.getArrayOfStrings("scopes")).map(Scope::parse).filter(s -> s != null).forEach(scopes::add);
        return Optional.of(new StoredKey(keyId, row.getString("project_id"), row.getString("key_hash"), scopes));
    }
}
