package dev.loupe.contracts.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Guards the one source of the metric → dimension-set table: {@link MetricCatalogue}. The aggregator (which
 * publishes the windows) and alert-manager (which validates rules against them) must read it, not keep a copy of
 * their own: two copies drift, and a rule that passes validation then never fires. This scans their main
 * sources for a second table.
 */
class MetricCatalogueSingleSourceTest {
    /** The services that must read the catalogue, relative to this module. */
    private static final List<Path> READERS =
            List.of(Path.of("../metrics-aggregator/src/main/java"), Path.of("../alert-manager/src/main/java"));
    /** The class that reads it in each, for publishing and for validation. */
    private static final Map<String, String> MUST_READ = Map.of(
            "dev/loupe/aggregator/windows/WindowCloser.java", "MetricCatalogue.series()",
            "dev/loupe/alerting/rules/RuleValidator.java", "MetricCatalogue.publishes(");
    /**
     * The query API's own list of metric names (what can be queried, with what it can be grouped by): it names
     * every metric, as it computes them, but holds no published dimension sets (see {@link #findTables}).
     */
    private static final String QUERY_API_METRICS = "dev/loupe/aggregator/query/Metric.java";

    /** A collection of dimension sets written out, e.g. {@code List.of(List.of("feature"), …)}. */
    private static final Pattern SETS_LITERAL = Pattern.compile("\\b(List|Set)\\.of\\(\\s*(List|Set)\\.of\\(");
    /** A field typed as a table of dimension sets, e.g. {@code Map<Metric, List<List<String>>>}. */
    private static final Pattern SETS_TABLE_TYPE =
            Pattern.compile("Map<[^;=()]*,\\s*(List|Set|Collection)<\\s*(List|Set)<String>\\s*>\\s*>");

    private static final Pattern STRING_LITERAL = Pattern.compile("\"([a-z0-9_]+)\"");

    @Test
    void theAggregatorAndAlertManagerHoldNoTableOfTheirOwn() throws IOException {
        List<String> found = new ArrayList<>();
        int scanned = 0;
        for (Path root : READERS) {
            assertThat(root)
                    .as("run from the contracts module of the repository")
                    .isDirectory();
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file :
                        files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    String relative = root.relativize(file).toString().replace('\\', '/');
                    found.addAll(findTables(relative, Files.readString(file)));
                    scanned++;
                }
            }
        }
        assertThat(scanned).isGreaterThan(50);
        assertThat(found)
                .as("a second metric → dimension-set table; use MetricCatalogue")
                .isEmpty();
    }

    @Test
    void bothServicesReadTheCatalogue() throws IOException {
        for (Map.Entry<String, String> reader : MUST_READ.entrySet()) {
            Path file = READERS.stream()
                    .map(r -> r.resolve(reader.getKey()))
                    .filter(Files::exists)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(reader.getKey() + " not found"));
            String source = Files.readString(file);
            assertThat(source).as(reader.getKey()).contains(reader.getValue()).doesNotContain("WindowDimensions");
        }
    }

    /** The detector finds the two copies this repository once had, so it can fail. */
    @Test
    void theDetectorFindsTheOldCopies() {
        String oldWindowCloser = """
                static final Map<Metric, List<List<String>>> WINDOWS = new LinkedHashMap<>();
                static {
                    List<List<String>> overall = List.of(List.of(), List.of("feature"), List.of("model"));
                    WINDOWS.put(Metric.REQUEST_COUNT, overall);
                    WINDOWS.put(Metric.TOOL_ERROR_RATE, List.of(List.of("tool")));
                }""";
        String oldWindowDimensions = """
                private static final Map<String, List<Set<String>>> SETS = new LinkedHashMap<>();
                static {
                    SETS.put("request_count", overall);
                    SETS.put("correction_rate", sets);
                }""";
        String namesOnly = """
                if (metric.equals("eval_pass_rate") || metric.equals("eval_score_mean")) { }""";
        assertThat(findTables("a/WindowCloser.java", oldWindowCloser)).hasSize(1);
        assertThat(findTables("a/WindowDimensions.java", oldWindowDimensions)).hasSize(1);
        assertThat(findTables("a/Rules.java", namesOnly)).hasSize(1);
        assertThat(findTables(QUERY_API_METRICS, namesOnly)).isEmpty();
        assertThat(findTables("a/SpanColumns.java", "r.getBigDecimal(\"cost_usd\")"))
                .isEmpty();
    }

    /**
     * What in one source file looks like a copy of the table: a written-out collection of dimension sets, a field
     * typed as such a table, or (outside the query API's metric list) two or more catalogue metric names spelled
     * as string literals.
     */
    static List<String> findTables(String file, String source) {
        List<String> found = new ArrayList<>();
        Matcher literal = SETS_LITERAL.matcher(source);
        if (literal.find()) {
            found.add(file + ": dimension sets written out at offset " + literal.start());
        } else if (SETS_TABLE_TYPE.matcher(source).find()) {
            found.add(file + ": a field typed as a metric → dimension-set table");
        } else if (!file.equals(QUERY_API_METRICS)) {
            Set<String> names = new TreeSet<>();
            Matcher m = STRING_LITERAL.matcher(source);
            while (m.find()) {
                if (MetricCatalogue.metrics().contains(m.group(1))) {
                    names.add(m.group(1));
                }
            }
            if (names.size() >= 2) {
                found.add(file + ": spells the catalogue's metric names " + names);
            }
        }
        return found;
    }
}
