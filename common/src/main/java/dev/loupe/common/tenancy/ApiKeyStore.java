package dev.loupe.common.tenancy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.loupe.common.crypto.Hmac;
import dev.loupe.common.sql.DatabaseOutage;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Reads keys from schema {@code tenancy} (read-only) and checks them, with a short cache ({@code cache-ttl}). When
 * the database cannot be reached, a key looked up within {@code stale-if-error} is answered from the last lookup,
 * so the collector keeps ingesting for known keys through a database outage; an unknown key then fails the request
 * with an outage (503), never as a 401 or a 500.
 */
@ApplicationScoped
public class ApiKeyStore {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ApiKeyStore.class);
    private static final String LOOKUP =
            "select project_id, key_hash, scopes from tenancy.api_keys where key_id = $1 and revoked_at is null";

    private final Pool pool;
    private final TenancyConfig config;
    private final TenancyClock clock;
    private final Cache<String, Lookup> cache;

    public ApiKeyStore(Pool pool, TenancyConfig config, TenancyClock clock) {
        this.pool = pool;
        this.config = config;
        this.clock = clock;
        Duration kept =
                config.staleIfError().compareTo(config.cacheTtl()) > 0 ? config.staleIfError() : config.cacheTtl();
        this.cache = Caffeine.newBuilder()
                .maximumSize(10_000)
                .expireAfterWrite(kept)
                .ticker(clock)
                .build();
    }

    /** A lookup's answer and when it was read ({@link TenancyClock} nanoseconds). */
    private record Lookup(Optional<StoredKey> key, long readAtNanos) {}

    private boolean youngerThan(Lookup lookup, Duration age) {
        return clock.read() - lookup.readAtNanos() < age.toNanos();
    }

    /** A key as stored: its project, its hash and its scopes. */
    public record StoredKey(String keyId, String projectId, String keyHash, Set<Scope> scopes) {}

    /** The key's identity when the key is well formed, known, not revoked and its hash matches. */
    public Uni<Optional<StoredKey>> verify(String key) {
        Optional<String> keyId = ApiKeys.keyId(key);
        if (keyId.isEmpty()) {
            return Uni.createFrom().item(Optional.empty());
        }
        String presented = ApiKeys.hash(config.pepper(), key);
        Lookup cached = cache.getIfPresent(keyId.get());
        boolean fallback = cached != null && youngerThan(cached, config.staleIfError()); // as the request came in
        Uni<Optional<StoredKey>> stored = cached != null && youngerThan(cached, config.cacheTtl())
                ? Uni.createFrom().item(cached.key())
                : load(keyId.get())
                        .onFailure(e -> fallback && DatabaseOutage.isOutage(e))
                        .recoverWithItem(e -> {
                            LOG.debugf(
                                    "database unavailable, key %s answered from its lookup of %d s ago: %s",
                                    keyId.get(), (clock.read() - cached.readAtNanos()) / 1_000_000_000L, e);
                            return cached.key();
                        });
        return stored.map(found -> found.filter(k -> Hmac.constantTimeEquals(k.keyHash(), presented)));
    }

    private Uni<Optional<StoredKey>> load(String keyId) {
        return pool.preparedQuery(LOOKUP)
                .execute(Tuple.of(keyId))
                .map(rows -> toKey(keyId, rows))
                .invoke(found -> cache.put(keyId, new Lookup(found, clock.read())));
    }

    private static Optional<StoredKey> toKey(String keyId, RowSet<Row> rows) {
        if (rows.size() == 0) {
            return Optional.empty();
        }
        Row row = rows.iterator().next();
        EnumSet<Scope> scopes = EnumSet.noneOf(Scope.class);
        Arrays.stream(row.getArrayOfStrings("scopes"))
                .map(Scope::parse)
                .filter(s -> s != null)
                .forEach(scopes::add);
        return Optional.of(new StoredKey(keyId, row.getString("project_id"), row.getString("key_hash"), scopes));
    }
}
