package dev.loupe.collector.pricing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.loupe.common.pricing.PriceOverride;
import dev.loupe.common.pricing.ProjectPrices;
import dev.loupe.common.pricing.Rates;
import dev.loupe.common.sql.DatabaseOutage;
import dev.loupe.common.tenancy.TenancyClock;
import dev.loupe.common.tenancy.TenancyConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Each project's price overrides (schema {@code tenancy}, table {@code model_prices}, written by metrics-aggregator),
 * read-only and cached exactly like API keys: a project's overrides are read again once they are older than
 * {@code loupe.tenancy.cache-ttl}, so a new override reaches ingest within that time; while the database cannot be
 * reached, overrides read within {@code loupe.tenancy.stale-if-error} are used, and a project never read fails the
 * request as an outage (503), never priced without its overrides.
 */
@ApplicationScoped
public class PriceOverrides {
    private static final Logger LOG = Logger.getLogger(PriceOverrides.class);
    private static final String LOOKUP = "select provider, model, effective_from, input_per_million,"
            + " output_per_million, cached_read_per_million, cache_write_per_million, reasoning_per_million"
            + " from tenancy.model_prices where project_id = $1";

    private final Pool pool;
    private final TenancyConfig config;
    private final TenancyClock clock;
    private final Cache<String, Loaded> cache;

    private record Loaded(ProjectPrices prices, long readAtNanos) {}

    public PriceOverrides(Pool pool, TenancyConfig config, TenancyClock clock) {
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

    /** Makes {@link #current} answer this project's overrides as of at most {@code cache-ttl} ago. */
    public Uni<Void> load(String projectId) {
        Loaded cached = cache.getIfPresent(projectId);
        if (cached != null && age(cached).compareTo(config.cacheTtl()) < 0) {
            return Uni.createFrom().voidItem();
        }
        boolean fallback = cached != null && age(cached).compareTo(config.staleIfError()) < 0;
        return pool.preparedQuery(LOOKUP)
                .execute(Tuple.of(projectId))
                .map(rows -> {
                    List<PriceOverride> overrides = new ArrayList<>();
                    for (Row row : rows) {
                        overrides.add(toOverride(row));
                    }
                    return new ProjectPrices(overrides);
                })
                .invoke(prices -> cache.put(projectId, new Loaded(prices, clock.read())))
                .replaceWithVoid()
                .onFailure(e -> fallback && DatabaseOutage.isOutage(e))
                .recoverWithItem(e -> {
                    LOG.debugf(
                            "database unavailable, price overrides of %s answered from an earlier read: %s",
                            projectId, e);
                    return null;
                });
    }

    /** The project's overrides as last loaded; none when never loaded. */
    public ProjectPrices current(String projectId) {
        Loaded cached = cache.getIfPresent(projectId);
        return cached == null ? ProjectPrices.NONE : cached.prices();
    }

    private Duration age(Loaded loaded) {
        return Duration.ofNanos(clock.read() - loaded.readAtNanos());
    }

    private static PriceOverride toOverride(Row row) {
        return new PriceOverride(
                row.getString("provider"),
                row.getString("model"),
                row.getOffsetDateTime("effective_from").toInstant(),
                new Rates(
                        decimal(row, "input_per_million"),
                        decimal(row, "output_per_million"),
                        decimal(row, "cached_read_per_million"),
                        decimal(row, "cache_write_per_million"),
                        decimal(row, "reasoning_per_million")));
    }

    private static BigDecimal decimal(Row row, String column) {
        return row.getBigDecimal(column);
    }
}
