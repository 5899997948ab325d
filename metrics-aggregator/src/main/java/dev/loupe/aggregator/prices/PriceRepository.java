package dev.loupe.aggregator.prices;

import dev.loupe.common.pricing.Rates;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Schema {@code tenancy}, table {@code model_prices} (written here, read by the collector); unpriced calls. */
@ApplicationScoped
public class PriceRepository {
    private static final String UPSERT = "insert into tenancy.model_prices (project_id, provider, model,"
            + " effective_from, input_per_million, output_per_million, cached_read_per_million,"
            + " cache_write_per_million, reasoning_per_million) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            + " on conflict (project_id, provider, model, effective_from) do update set"
            + " input_per_million = excluded.input_per_million, output_per_million = excluded.output_per_million,"
            + " cached_read_per_million = excluded.cached_read_per_million,"
            + " cache_write_per_million = excluded.cache_write_per_million,"
            + " reasoning_per_million = excluded.reasoning_per_million, updated_at = now()"
            + " returning provider, model, effective_from, input_per_million, output_per_million,"
            + " cached_read_per_million, cache_write_per_million, reasoning_per_million, updated_at,"
            + " (xmax = 0) as inserted";
    private static final String LIST = "select provider, model, effective_from, input_per_million,"
            + " output_per_million, cached_read_per_million, cache_write_per_million, reasoning_per_million,"
            + " updated_at from tenancy.model_prices where project_id = $1 order by provider, model, effective_from";
    private static final String UNPRICED = "select coalesce(provider, '') as provider, model, count(*) as calls,"
            + " coalesce(sum(input_tokens), 0)::bigint as input_tokens, coalesce(sum(output_tokens), 0)::bigint as output_tokens"
            + " from telemetry.spans where project_id = $1 and start_time >= $2 and start_time < $3"
            + " and model is not null and cost_usd is null"
            + " and (input_tokens is not null or output_tokens is not null)"
            + " group by 1, 2 order by calls desc, model limit $4";

    private final Pool pool;

    public PriceRepository(Pool pool) {
        this.pool = pool;
    }

    /** The stored entry and whether it is new (else an entry with the same effective time was replaced). */
    public record Stored(PriceViews.Override entry, boolean created) {}

    public Uni<Stored> put(String projectId, String provider, String model, Instant effectiveFrom, Rates rates) {
        return pool.preparedQuery(UPSERT)
                .execute(Tuple.from(Arrays.asList(
                        projectId,
                        provider,
                        model,
                        effectiveFrom.atOffset(ZoneOffset.UTC),
                        rates.input(),
                        rates.output(),
                        rates.cachedRead(),
                        rates.cacheWrite(),
                        rates.reasoning())))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Stored(toOverride(row), row.getBoolean("inserted"));
                });
    }

    public Uni<List<PriceViews.Override>> overrides(String projectId) {
        return pool.preparedQuery(LIST).execute(Tuple.of(projectId)).map(rows -> {
            List<PriceViews.Override> out = new ArrayList<>();
            for (Row row : rows) {
                out.add(toOverride(row));
            }
            return out;
        });
    }

    public Uni<List<PriceViews.Unpriced>> unpriced(String projectId, Instant from, Instant to, int limit) {
        return pool.preparedQuery(UNPRICED)
                .execute(Tuple.of(projectId, from.atOffset(ZoneOffset.UTC), to.atOffset(ZoneOffset.UTC), limit))
                .map(rows -> {
                    List<PriceViews.Unpriced> out = new ArrayList<>();
                    for (Row row : rows) {
                        String provider = row.getString("provider");
                        out.add(new PriceViews.Unpriced(
                                provider.isEmpty() ? null : provider,
                                row.getString("model"),
                                row.getLong("calls"),
                                row.getLong("input_tokens"),
                                row.getLong("output_tokens")));
                    }
                    return out;
                });
    }

    private static PriceViews.Override toOverride(Row row) {
        OffsetDateTime updated = row.getOffsetDateTime("updated_at");
        return new PriceViews.Override(
                "override",
                row.getString("provider"),
                row.getString("model"),
                row.getOffsetDateTime("effective_from").toInstant(),
                new Rates(
                        decimal(row, "input_per_million"),
                        decimal(row, "output_per_million"),
                        decimal(row, "cached_read_per_million"),
                        decimal(row, "cache_write_per_million"),
                        decimal(row, "reasoning_per_million")),
                updated == null ? null : updated.toInstant());
    }

    private static BigDecimal decimal(Row row, String column) {
        BigDecimal value = row.getBigDecimal(column);
        return value == null ? null : value.stripTrailingZeros();
    }
}
