package dev.loupe.evals.features;

import com.fasterxml.jackson.core.type.TypeReference;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.evals.EvalsConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Features' evaluation plans: stored per project and feature in {@code evals.feature_configs}, compiled once
 * and cached for {@code loupe.evals.config-cache-ttl}; a feature without settings gets the defaults. The
 * consumer asks for a whole batch's plans in one query.
 */
@Singleton
public class EvaluationPlans {
    private static final Logger LOG = Logger.getLogger(EvaluationPlans.class);
    static final int MAX_CACHED = 10_000;
    private static final String LOAD = """
            select c.project_id, c.feature, c.config::text as config, c.updated_at
            from evals.feature_configs c
            join unnest($1::text[], $2::text[]) as k(project_id, feature)
              on c.project_id = k.project_id and c.feature = k.feature""";
    private static final String SAVE = """
            insert into evals.feature_configs (project_id, feature, config, updated_at, updated_by)
            values ($1, $2, $3::text::jsonb, $4, $5)
            on conflict (project_id, feature) do update
            set config = excluded.config, updated_at = excluded.updated_at, updated_by = excluded.updated_by""";

    private record Cached(EvaluationPlan plan, long loadedAtNanos) {}

    private final Pool pool;
    private final PlanCompiler compiler;
    private final EvalsConfig config;
    private final Clock clock;
    /** Bounded: feature names come from traffic and from requests, so an unbounded map would grow without end. */
    private final Cache<PlanKey, Cached> cache =
            Caffeine.newBuilder().maximumSize(MAX_CACHED).build();

    public EvaluationPlans(Pool pool, PlanCompiler compiler, EvalsConfig config, Clock clock) {
        this.pool = pool;
        this.compiler = compiler;
        this.config = config;
        this.clock = clock;
    }

    /** The plans for {@code keys}, from the cache when fresh, else from one query. */
    public Uni<Map<PlanKey, EvaluationPlan>> plans(Collection<PlanKey> keys) {
        Map<PlanKey, EvaluationPlan> found = new HashMap<>();
        List<PlanKey> missing = new ArrayList<>();
        long now = System.nanoTime();
        long ttl = config.configCacheTtl().toNanos();
        for (PlanKey key : keys) {
            Cached cached = cache.getIfPresent(key);
            if (cached != null && now - cached.loadedAtNanos() < ttl) {
                found.put(key, cached.plan());
            } else {
                missing.add(key);
            }
        }
        if (missing.isEmpty()) {
            return Uni.createFrom().item(found);
        }
        String[] projects = missing.stream().map(PlanKey::projectId).toArray(String[]::new);
        String[] features = missing.stream().map(PlanKey::feature).toArray(String[]::new);
        return pool.preparedQuery(LOAD).execute(Tuple.of(projects, features)).map(rows -> {
            Map<PlanKey, EvaluationPlan> loaded = new HashMap<>();
            for (Row row : rows) {
                PlanKey key = new PlanKey(row.getString("project_id"), row.getString("feature"));
                loaded.put(
                        key,
                        fromStore(
                                key,
                                row.getString("config"),
                                row.getOffsetDateTime("updated_at").toInstant()));
            }
            for (PlanKey key : missing) {
                EvaluationPlan plan = loaded.computeIfAbsent(key, this::defaults);
                cache.put(key, new Cached(plan, now));
                found.put(key, plan);
            }
            return found;
        });
    }

    public Uni<EvaluationPlan> plan(PlanKey key) {
        return plans(List.of(key)).map(plans -> plans.get(key));
    }

    /** Validates, stores and returns a feature's new settings; this replica uses them at once. */
    public Uni<EvaluationPlan> save(PlanKey key, FeatureEvaluation input, String updatedBy) {
        Instant now = clock.instant();
        EvaluationPlan plan = compiler.compile(key, input, FeatureEvaluationView.OWN, now);
        return pool.preparedQuery(SAVE)
                .execute(Tuple.of(
                        key.projectId(),
                        key.feature(),
                        EventJson.encode(PlanCompiler.stored(plan)),
                        now.atOffset(ZoneOffset.UTC),
                        updatedBy))
                .invoke(() -> cache.put(key, new Cached(plan, System.nanoTime())))
                .replaceWith(plan);
    }

    /** Returns a feature to the defaults. */
    public Uni<Boolean> reset(PlanKey key) {
        return pool.preparedQuery("delete from evals.feature_configs where project_id = $1 and feature = $2")
                .execute(Tuple.of(key.projectId(), key.feature()))
                .invoke(() -> cache.invalidate(key))
                .map(rows -> rows.rowCount() > 0);
    }

    private EvaluationPlan defaults(PlanKey key) {
        return compiler.compile(
                key, new FeatureEvaluation(null, null, null, null, null), FeatureEvaluationView.DEFAULTS, null);
    }

    private EvaluationPlan fromStore(PlanKey key, String json, Instant updatedAt) {
        FeatureEvaluation stored = read(json, new TypeReference<FeatureEvaluation>() {});
        try {
            return compiler.compile(key, stored, FeatureEvaluationView.OWN, updatedAt);
        } catch (RuntimeException e) {
            // an evaluator changed incompatibly since the settings were stored: evaluate with the defaults, loudly
            LOG.errorf(
                    "stored evaluation settings of %s/%s no longer compile (%s); using the defaults until they are "
                            + "set again",
                    key.projectId(), key.feature(), e.getMessage());
            return defaults(key);
        }
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return EventJson.mapper().readValue(json, type);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable evaluation settings: " + e.getMessage(), e);
        }
    }
}
