package dev.loupe.alerting.rules;

import dev.loupe.alerting.AlertingConfig;
import dev.loupe.contracts.json.EventJson;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A project's rules in {@code alerting.rules} (one jsonb document each). The shipped inventory is installed
 * the first time a project is seen (by the API or by its first metric window), once: a team that deletes
 * or edits a shipped rule keeps its choice.
 */
@Singleton
public class RuleStore {
    private static final String MARK = """
            insert into alerting.project_defaults (project_id, installed_at) values ($1, $2)
            on conflict (project_id) do nothing returning project_id""";
    private static final String INSERT_DEFAULT = """
            insert into alerting.rules (project_id, id, rule, origin, created_at, updated_at)
            select $1, id, rule::jsonb, 'default', $2, $2 from unnest($3::text[], $4::text[]) as u(id, rule)
            on conflict (project_id, id) do nothing""";
    private static final String PUT = """
            insert into alerting.rules (project_id, id, rule, origin, created_at, updated_at)
            values ($1, $2, $3::text::jsonb, 'api', $4, $4)
            on conflict (project_id, id) do update set rule = excluded.rule, origin = 'api', updated_at = excluded.updated_at
            returning (xmax = 0) as created""";

    private final Pool pool;
    private final DefaultRules defaults;
    private final AlertingConfig config;
    private final Clock clock;
    private final Set<String> installed = ConcurrentHashMap.newKeySet();

    public RuleStore(Pool pool, DefaultRules defaults, AlertingConfig config, Clock clock) {
        this.pool = pool;
        this.defaults = defaults;
        this.config = config;
        this.clock = clock;
    }

    /** Installs the shipped rules into a project seen for the first time. */
    public Uni<Void> ensureDefaults(String projectId) {
        if (!config.installDefaultRules() || installed.contains(projectId)) {
            return Uni.createFrom().voidItem();
        }
        var now = clock.instant().atOffset(ZoneOffset.UTC);
        return pool.withTransaction(connection -> connection
                        .preparedQuery(MARK)
                        .execute(Tuple.of(projectId, now))
                        .chain(rows -> rows.rowCount() == 0
                                ? Uni.createFrom().voidItem()
                                : connection
                                        .preparedQuery(INSERT_DEFAULT)
                                        .execute(Tuple.of(
                                                projectId,
                                                now,
                                                defaults.rules().stream()
                                                        .map(Rule::id)
                                                        .toArray(String[]::new),
                                                defaults.rules().stream()
                                                        .map(EventJson::encode)
                                                        .toArray(String[]::new)))
                                        .replaceWithVoid()))
                .invoke(() -> installed.add(projectId));
    }

    public Uni<List<Rule>> all(String projectId) {
        return ensureDefaults(projectId)
                .chain(() -> pool.preparedQuery(
                                "select rule::text as rule from alerting.rules where project_id = $1 order by id")
                        .execute(Tuple.of(projectId)))
                .map(RuleStore::rules);
    }

    /** The enabled rules of a project on one metric: what a new window of that metric is judged against. */
    public Uni<List<Rule>> forMetric(String projectId, String metric) {
        return ensureDefaults(projectId)
                .chain(() -> pool.preparedQuery("""
                        select rule::text as rule from alerting.rules
                        where project_id = $1 and rule->>'metric' = $2 order by id""").execute(Tuple.of(projectId, metric)))
                .map(rows -> rules(rows).stream().filter(Rule::isEnabled).toList());
    }

    public Uni<Optional<Rule>> get(String projectId, String id) {
        return ensureDefaults(projectId)
                .chain(() -> pool.preparedQuery(
                                "select rule::text as rule from alerting.rules where project_id = $1 and id = $2")
                        .execute(Tuple.of(projectId, id)))
                .map(rows -> rules(rows).stream().findFirst());
    }

    /** Stores a validated rule; true when it is new. */
    public Uni<Boolean> put(String projectId, Rule rule) {
        return ensureDefaults(projectId)
                .chain(() -> pool.preparedQuery(PUT)
                        .execute(Tuple.of(
                                projectId,
                                rule.id(),
                                EventJson.encode(rule),
                                clock.instant().atOffset(ZoneOffset.UTC))))
                .map(rows -> rows.iterator().next().getBoolean("created"));
    }

    public Uni<Boolean> delete(String projectId, String id) {
        return ensureDefaults(projectId)
                .chain(() -> pool.preparedQuery("delete from alerting.rules where project_id = $1 and id = $2")
                        .execute(Tuple.of(projectId, id)))
                .map(rows -> rows.rowCount() > 0);
    }

    private static List<Rule> rules(Iterable<Row> rows) {
        List<Rule> rules = new ArrayList<>();
        for (Row row : rows) {
            try {
                rules.add(EventJson.mapper().readValue(row.getString("rule"), Rule.class));
            } catch (IOException e) {
                throw new IllegalStateException("unreadable stored rule: " + e.getMessage(), e);
            }
        }
        return rules;
    }
}
