package dev.loupe.aggregator.timescale;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every call of a TimescaleDB function names the extension's schema ({@code public.create_hypertable(…)}, {@code
 * %I.drop_chunks(…)} in a migration's dynamic SQL, {@code "schema".drop_chunks(…)} from Java): the extension sits in
 * whatever schema it was created in, and neither Flyway's search_path ({@code telemetry}) nor the pool's ({@code
 * "$user", public}) is guaranteed to contain it (issue 20: {@code drop_chunks} "does not exist", retention never ran).
 * Scans the migrations (comments left out) and the string literals of the Java sources under {@code src/main}.
 *
 * <p>{@code time_bucket} is on the list too: the queries run on plain PostgreSQL as well, where it does not exist,
 * so they use {@code date_trunc}/{@code date_bin}, and any call of it is a bug in either case.
 */
class TimescaleDbQualificationTest {
    static final List<String> FUNCTIONS = List.of(
            "create_hypertable",
            "by_range",
            "by_hash",
            "add_dimension",
            "set_chunk_time_interval",
            "set_integer_now_func",
            "drop_chunks",
            "show_chunks",
            "attach_tablespace",
            "add_retention_policy",
            "remove_retention_policy",
            "add_compression_policy",
            "remove_compression_policy",
            "add_columnstore_policy",
            "remove_columnstore_policy",
            "compress_chunk",
            "decompress_chunk",
            "convert_to_columnstore",
            "convert_to_rowstore",
            "recompress_chunk",
            "add_job",
            "alter_job",
            "delete_job",
            "run_job",
            "add_continuous_aggregate_policy",
            "refresh_continuous_aggregate",
            "hypertable_size",
            "hypertable_detailed_size",
            "hypertable_index_size",
            "chunks_detailed_size",
            "hypertable_compression_stats",
            "chunk_compression_stats",
            "hypertable_columnstore_stats",
            "approximate_row_count",
            "time_bucket",
            "time_bucket_gapfill",
            "locf",
            "interpolate");

    /** A function name followed by "(" and not preceded by "." (a schema) or a word character. */
    static final Pattern UNQUALIFIED = Pattern.compile("(?i)(?<![\\w.$])(" + String.join("|", FUNCTIONS) + ")\\s*\\(");

    static final Path MODULE = Path.of("").toAbsolutePath();

    @Test
    void everyTimescaleDbCallInTheMigrationsAndJavaSqlNamesItsSchema() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MODULE.resolve("src/main/resources/db"))) {
            files.filter(p -> p.toString().endsWith(".sql"))
                    .forEach(p -> unqualifiedInSql(read(p)).forEach(call -> found.add(p + ": " + call)));
        }
        try (Stream<Path> files = Files.walk(MODULE.resolve("src/main/java"))) {
            files.filter(p -> p.toString().endsWith(".java"))
                    .forEach(p -> unqualifiedInJava(read(p)).forEach(call -> found.add(p + ": " + call)));
        }
        assertThat(found).isEmpty();
    }

    @Test
    void theScanCatchesTheShippedV1AndTheFormerRetentionJob() throws IOException {
        assertThat(unqualifiedInSql(read(MODULE.resolve("src/test/resources/db/shipped-telemetry-v6/V1__spans.sql"))))
                .containsExactly("create_hypertable(");
        assertThat(unqualifiedInSql(
                        read(MODULE.resolve("src/test/resources/db/shipped-telemetry-v6/V4__rollups_and_windows.sql"))))
                .hasSize(10);
        String formerRetentionJob = """
                /** drops chunks with {@code drop_chunks(...)} */
                class RetentionJob {
                    Object dropChunks() { // drop_chunks( in a comment is no call
                        return pool.preparedQuery("select count(*) as n from drop_chunks($1::regclass, older_than => $2)");
                    }
                }
                """;
        assertThat(unqualifiedInJava(formerRetentionJob)).containsExactly("drop_chunks(");
        assertThat(unqualifiedInJava("String s = \"select \" + schema + \".drop_chunks($1)\";"))
                .isEmpty();
        assertThat(unqualifiedInJava("q(\"select \" + timescale.function(\"drop_chunks\") + \"($1)\")"))
                .isEmpty();
        assertThat(unqualifiedInSql("execute format('select %I.create_hypertable(%L)', ts, t); -- create_hypertable("))
                .isEmpty();
        assertThat(unqualifiedInSql("select public.time_bucket('1 hour', t), date_trunc('hour', t)"))
                .isEmpty();
        assertThat(unqualifiedInSql("select TIME_BUCKET ('1 hour', t)")).containsExactly("TIME_BUCKET (");
    }

    static List<String> unqualifiedInSql(String sql) {
        return matches(sql.replaceAll("--[^\n]*", ""));
    }

    /** Between two literals: not white space, so {@code "drop_chunks"} and a later {@code "(…"} are not one call. */
    private static final char SEPARATOR = '\u0000';

    /** The unqualified calls in the string literals (and text blocks) of a Java source; comments are skipped. */
    static List<String> unqualifiedInJava(String source) {
        StringBuilder literals = new StringBuilder();
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (source.startsWith("//", i)) {
                i = indexOrEnd(source, "\n", i);
            } else if (source.startsWith("/*", i)) {
                i = indexOrEnd(source, "*/", i + 2) + 2;
            } else if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                literals.append(source, i + 3, end).append(SEPARATOR);
                i = end + 3;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && source.charAt(j) != c) {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                if (c == '"') {
                    literals.append(source, i + 1, j).append(SEPARATOR);
                }
                i = j + 1;
            } else {
                i++;
            }
        }
        return matches(literals.toString());
    }

    private static int indexOrEnd(String s, String what, int from) {
        int at = s.indexOf(what, from);
        return at < 0 ? s.length() : at;
    }

    private static List<String> matches(String text) {
        List<String> calls = new ArrayList<>();
        Matcher m = UNQUALIFIED.matcher(text);
        while (m.find()) {
            calls.add(m.group());
        }
        return calls;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
