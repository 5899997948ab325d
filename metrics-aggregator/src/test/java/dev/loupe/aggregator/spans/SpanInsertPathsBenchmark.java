package dev.loupe.aggregator.spans;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.aggregator.bench.AggregatorBenchmark;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.json.EventJson;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * Issue 24, "bulk writes": the span insert the aggregator runs (one {@code insert … select from unnest(arrays) on
 * conflict do nothing returning}, column arrays bound as parameters through the reactive client) against {@code COPY}
 * into a temporary staging table (pgjdbc's {@code CopyManager}) followed by the same {@code insert … select … on
 * conflict do nothing returning} from it, in one transaction — the two ways that keep a redelivered span from being
 * stored or counted twice. Both write the same traffic-shaped rows into their own fresh {@code telemetry.spans}
 * (every index, the trace-feature lookup), batch by batch, alternating, so load on the machine hits both alike; a
 * plain {@code COPY} into the table (no conflict check, no returning) is timed beside them as the floor.
 *
 * <p>Runs only with {@code -Pbenchmark}: {@code ./mvnw -B -pl metrics-aggregator -am verify -Pbenchmark
 * -Dtest=SpanInsertPathsBenchmark -Dsurefire.failIfNoSpecifiedTests=false -DskipITs}; writes
 * {@code target/benchmarks/insert-paths.md}. {@code -Dloupe.bench.insert-spans} (200,000) and
 * {@code -Dloupe.bench.insert-batch} (930, the size of the aggregator's batches in the write benchmark).
 */
class SpanInsertPathsBenchmark {
    static final int SPANS = Integer.getInteger("loupe.bench.insert-spans", 200_000);
    static final int BATCH = Integer.getInteger("loupe.bench.insert-batch", 930);
    static final String HOST = System.getProperty("loupe.bench.pg-host", "127.0.0.1");
    static final String DB = "loupe_insert_paths";

    /** Columns written by the COPY paths, in CSV order; the insert path writes these and the rest. */
    static final String COPY_COLUMNS = AggregatorBenchmark.COPY_COLUMNS;

    static final String STAGED_INSERT = "insert into telemetry.spans (" + COPY_COLUMNS.replace(", rollup_feature", "")
            + ", rollup_feature, rollup_user, rollup_session) select "
            + prefixed("u.", COPY_COLUMNS.replace(", rollup_feature", ""))
            + ", coalesce(nullif(u.feature, ''), tf.feature, ''), coalesce(nullif(u.user_id, ''), tf.user_id, ''), "
            + "coalesce(nullif(u.session_id, ''), tf.session_id, '') from span_stage u left join "
            + "telemetry.trace_features tf on tf.project_id = u.project_id and tf.trace_id = u.trace_id "
            + "on conflict (project_id, span_id, start_time) do nothing "
            + "returning project_id, span_id, start_time, rollup_feature, rollup_session, rollup_shard";

    @Test
    void insertAgainstCopy() throws Exception {
        try (Connection admin =
                        DriverManager.getConnection("jdbc:postgresql://" + HOST + ":5432/postgres", "postgres", "");
                Statement s = admin.createStatement()) {
            s.execute("drop database if exists " + DB);
            s.execute("create database " + DB);
        }
        Flyway.configure()
                .dataSource(url(), "postgres", "")
                .schemas("telemetry")
                .createSchemas(true)
                .locations("db/telemetry")
                .load()
                .migrate();
        List<SpanRecord> spans =
                AggregatorBenchmark.spans("p", Instant.now().truncatedTo(ChronoUnit.HOURS), SPANS, new Random(7));
        int[] shards = new int[BATCH];
        Arrays.fill(shards, 1);

        Vertx vertx = Vertx.vertx();
        var pool = PgBuilder.pool()
                .connectingTo(new PgConnectOptions()
                        .setHost(HOST)
                        .setDatabase(DB)
                        .setUser("postgres")
                        .addProperty("plan_cache_mode", "force_custom_plan"))
                .with(new PoolOptions().setMaxSize(1))
                .using(vertx)
                .build();
        long insertNanos = 0;
        long stagedNanos = 0;
        long copyNanos = 0;
        long insertedRows = 0;
        long stagedRows = 0;
        try (Connection c = DriverManager.getConnection(url(), "postgres", "")) {
            try (Statement s = c.createStatement()) {
                s.execute("create table telemetry.spans_copied (like telemetry.spans including all)");
                s.execute("create table telemetry.spans_staged (like telemetry.spans including all)");
            }
            int batches = 0;
            for (int from = 0; from + BATCH <= spans.size(); from += BATCH, batches++) {
                List<SpanRecord> batch = spans.subList(from, from + BATCH);
                List<SpanRecord> a = withProject(batch, "a");
                List<SpanRecord> b = withProject(batch, "b");
                List<SpanRecord> f = withProject(batch, "c");
                // the order rotates so no path always runs right after another one's checkpoint or autovacuum
                for (int turn = 0; turn < 3; turn++) {
                    switch ((batches + turn) % 3) {
                        case 0 -> {
                            long t0 = System.nanoTime();
                            int n = pool.withTransaction(tx -> tx.preparedQuery(SpanColumns.BATCH_INSERT)
                                            .execute(SpanColumns.batchTuple(a, shards)
                                                    .getDelegate()))
                                    .toCompletionStage()
                                    .toCompletableFuture()
                                    .get()
                                    .rowCount();
                            insertNanos += System.nanoTime() - t0;
                            insertedRows += n;
                        }
                        case 1 -> {
                            long t0 = System.nanoTime();
                            stagedRows += staged(c, csv(b)); // encoding timed too, as batchTuple is
                            stagedNanos += System.nanoTime() - t0;
                        }
                        default -> {
                            long t0 = System.nanoTime();
                            c.setAutoCommit(true);
                            c.unwrap(PGConnection.class)
                                    .getCopyAPI()
                                    .copyIn(
                                            "copy telemetry.spans_copied (" + COPY_COLUMNS
                                                    + ") from stdin (format csv)",
                                            new StringReader(csv(f)));
                            copyNanos += System.nanoTime() - t0;
                        }
                    }
                }
            }
            // a redelivered batch stores nothing on either path
            List<SpanRecord> again = withProject(spans.subList(0, BATCH), "a");
            int redelivered = pool.withTransaction(tx -> tx.preparedQuery(SpanColumns.BATCH_INSERT)
                            .execute(SpanColumns.batchTuple(again, shards).getDelegate()))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get()
                    .rowCount();
            assertThat(redelivered).isZero();
            assertThat(staged(c, csv(withProject(spans.subList(0, BATCH), "b"))))
                    .isZero();
            long rows = (long) batches * BATCH;
            assertThat(insertedRows).isEqualTo(rows);
            assertThat(stagedRows).isEqualTo(rows);
            String report = String.format(
                    "## Span insert paths (issue 24, bulk writes)%n%n"
                            + "%,d traffic-shaped spans in batches of %,d, each path into a fresh `telemetry.spans` "
                            + "(all its indexes), batch by batch in rotating order; %d cores, %s, PostgreSQL %s.%n%n"
                            + "| path | rows/s | ms per batch |%n|---|---|---|%n"
                            + "| `insert … select from unnest($1…$40) on conflict do nothing returning` (reactive "
                            + "client, what the aggregator runs) | %,.0f | %.1f |%n"
                            + "| `COPY` to a temporary stage + `insert … select … on conflict do nothing returning` "
                            + "(pgjdbc) | %,.0f | %.1f |%n"
                            + "| plain `COPY` into the table (no conflict check: the floor) | %,.0f | %.1f |%n",
                    rows,
                    BATCH,
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name") + " " + System.getProperty("os.version"),
                    serverVersion(c),
                    rows / (insertNanos / 1e9),
                    insertNanos / 1e6 / batches,
                    rows / (stagedNanos / 1e9),
                    stagedNanos / 1e6 / batches,
                    rows / (copyNanos / 1e9),
                    copyNanos / 1e6 / batches);
            Path out = Path.of("target/benchmarks/insert-paths.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, report);
            System.out.println(report);
        } finally {
            pool.close().toCompletionStage().toCompletableFuture().get();
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private static int staged(Connection c, String csv) throws Exception {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("create temporary table if not exists span_stage (like telemetry.spans) on commit delete rows");
            c.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn("copy span_stage (" + COPY_COLUMNS + ") from stdin (format csv)", new StringReader(csv));
            int n = 0;
            try (ResultSet r = s.executeQuery(STAGED_INSERT.replace("telemetry.spans (", "telemetry.spans_staged ("))) {
                while (r.next()) {
                    n++;
                }
            }
            c.commit();
            return n;
        } catch (Exception e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static List<SpanRecord> withProject(List<SpanRecord> spans, String project) {
        List<SpanRecord> out = new ArrayList<>(spans.size());
        for (SpanRecord s : spans) {
            out.add(EventJson.decode(
                    EventJson.encode(s).replace("\"projectId\":\"p\"", "\"projectId\":\"" + project + "\""),
                    SpanRecord.class));
        }
        return out;
    }

    private static String csv(List<SpanRecord> spans) {
        StringBuilder csv = new StringBuilder(spans.size() * 1400);
        for (SpanRecord s : spans) {
            AggregatorBenchmark.csvRow(csv, s.projectId(), s);
        }
        return csv.toString();
    }

    private static String prefixed(String prefix, String columns) {
        StringBuilder out = new StringBuilder();
        for (String c : columns.split(", ")) {
            out.append(out.isEmpty() ? "" : ", ").append(prefix).append(c);
        }
        return out.toString();
    }

    private static String serverVersion(Connection c) throws Exception {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("show server_version")) {
            r.next();
            return r.getString(1);
        }
    }

    private static String url() {
        return "jdbc:postgresql://" + HOST + ":5432/" + DB;
    }
}
