package dev.loupe.aggregator.timescale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.aggregator.timescale.TimescaleDecision.Decision;
import dev.loupe.aggregator.timescale.TimescaleDecision.Facts;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The rule that picks the database path, over every combination that matters (no TimescaleDB needed). {@code
 * TimescaleDbTest} checks that the migration's SQL copy of the rule answers the same for each of {@link #CASES}.
 */
class TimescaleDecisionTest {
    /** A case: the facts, the schema the path must use (null: plain PostgreSQL) and the start of the reason. */
    record Case(Facts facts, String schema, String reason) {}

    static final List<Case> CASES = List.of(
            new Case(
                    new Facts(false, "", null, null, null, true, "postgres"),
                    null,
                    "TimescaleDB not available (no timescaledb extension on this server): using plain PostgreSQL tables"),
            new Case(
                    new Facts(true, "", null, null, "2.28.3", true, "postgres"),
                    null,
                    "TimescaleDB available but not preloaded (shared_preload_libraries=''): using plain PostgreSQL tables"),
            new Case(
                    new Facts(true, "pg_stat_statements", null, null, "2.28.3", true, "postgres"),
                    null,
                    "TimescaleDB available but not preloaded (shared_preload_libraries='pg_stat_statements'): using "
                            + "plain PostgreSQL tables"),
            new Case(
                    new Facts(true, "timescaledb_toolkit", null, null, "2.28.3", true, "postgres"),
                    null,
                    "TimescaleDB available but not preloaded (shared_preload_libraries='timescaledb_toolkit'): using "
                            + "plain PostgreSQL tables"),
            new Case(
                    new Facts(true, null, null, null, "2.28.3", false, "loupe"),
                    null,
                    "TimescaleDB available but shared_preload_libraries is unreadable (needs superuser or "
                            + "pg_read_all_settings): using plain PostgreSQL tables"),
            new Case(
                    new Facts(true, "timescaledb", null, null, "2.28.3", false, "loupe"),
                    null,
                    "TimescaleDB available and preloaded but role loupe may not create it (needs superuser, or "
                            + "create extension timescaledb beforehand): using plain PostgreSQL tables"),
            new Case(
                    new Facts(true, "timescaledb", null, null, "2.28.3", true, "postgres"),
                    "public",
                    "TimescaleDB 2.28.3 available and preloaded: creating it in schema public, using hypertables"),
            new Case(
                    new Facts(true, "pg_stat_statements, \"$libdir/timescaledb.so\"", null, null, "2.28.3", true, "pg"),
                    "public",
                    "TimescaleDB 2.28.3 available and preloaded: creating it in schema public, using hypertables"),
            new Case(
                    new Facts(true, " TimescaleDB ,auto_explain", null, null, "2.28.3", true, "pg"),
                    "public",
                    "TimescaleDB 2.28.3 available and preloaded: creating it in schema public, using hypertables"),
            new Case(
                    new Facts(true, "timescaledb", "telemetry", "2.28.3", "2.28.3", false, "loupe"),
                    "telemetry",
                    "TimescaleDB 2.28.3 installed in schema telemetry: using hypertables"),
            new Case(
                    new Facts(true, null, "ts", "2.28.3", "2.28.3", false, "loupe"),
                    "ts",
                    "TimescaleDB 2.28.3 installed in schema ts: using hypertables"),
            new Case(
                    new Facts(true, "", "public", "2.28.3", "2.28.3", true, "postgres"),
                    null,
                    "TimescaleDB 2.28.3 installed in schema public but not preloaded (shared_preload_libraries=''): "
                            + "using plain PostgreSQL tables"));

    @Test
    void everyCaseTakesItsPathForItsReason() {
        for (Case c : CASES) {
            Decision d = TimescaleDecision.decide(c.facts());
            assertThat(d.schema()).as("%s", c.facts()).isEqualTo(Optional.ofNullable(c.schema()));
            assertThat(d.reason()).as("%s", c.facts()).isEqualTo(c.reason());
        }
    }

    @Test
    void availableButNotPreloadedFallsBackWhateverElseHolds() {
        for (boolean superuser : new boolean[] {true, false}) {
            Decision d = TimescaleDecision.decide(new Facts(true, "", null, null, "2.28.3", superuser, "r"));
            assertThat(d.timescale()).isFalse();
            assertThat(d.reason()).contains("not preloaded");
        }
    }
}
