package dev.loupe.aggregator.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the benchmark's history needs for the trace explorer (issue 26): text to search, and the search indexes built
 * after the rows rather than maintained row by row.
 *
 * <ul>
 *   <li>{@link #createSentences}: 20,000 words drawn log-uniformly (a few very frequent, most rare, as in text) and
 *       100,000 sentences of 12 of them, in schema {@code bench} (the same shape as {@code bench/search-index.sql});
 *       the history's prompts take five sentences and its completions three ({@link #PROMPT}, {@link #COMPLETION}).
 *   <li>{@link #dropSearchIndexes} / {@link #createSearchIndexes}: the two span search indexes (V12's GIN, V11's time
 *       index of spans with text), dropped before the history is generated and built afterwards from the migrations'
 *       own statements, as an operator would build them ({@code create index concurrently}) before migrating a large
 *       table.
 *   <li>{@link #words}: one word per share of spans holding it (from 30 % down to 0.03 %, and one in no span), from the
 *       sentences: a span holds eight sentences, so a word in a fraction {@code q} of them is in about
 *       {@code 1 - (1 - q)^8} of the spans.
 * </ul>
 */
final class ExplorerData {
    private ExplorerData() {}

    /** SQL for the prompt of history span {@code g}: five sentences. */
    static final String PROMPT = sentences(7, 11, 13, 17, 19);

    /** SQL for the completion of history span {@code g}: three sentences. */
    static final String COMPLETION = sentences(23, 29, 31);

    /** The shares of spans the searched words are chosen for. */
    static final double[] SHARES = {0.30, 0.03, 0.01, 0.003, 0.001, 0.0003};

    static final String ABSENT = "zzzqqq";

    private static final List<String> INDEXES = List.of("spans_search_day_idx", "spans_text_time_idx");

    /** A searched word and the share of spans estimated to hold it (0 for the absent one). */
    record Word(String word, double share) {}

    private static String sentences(int... factors) {
        return "(select string_agg(b.t, '. ' order by b.s) from bench.sentences b where b.s in ("
                + String.join(
                        ", ",
                        Arrays.stream(factors)
                                .mapToObj(f -> "1 + (g * " + f + ") % 100000")
                                .toList())
                + "))";
    }

    static void createSentences(Statement s) throws Exception {
        s.execute("create schema if not exists bench");
        s.execute("drop table if exists bench.sentences, bench.picks, bench.vocab");
        s.execute("select setseed(0.26)");
        s.execute("create table bench.vocab as select i, substr(md5(i::text), 1, 4 + i % 6) as w"
                + " from generate_series(1, 20000) i");
        s.execute("create table bench.picks as select s, k,"
                + " greatest(1, least(20000, floor(exp(random() * ln(20000)))::int)) as i"
                + " from generate_series(1, 100000) s, generate_series(1, 12) k");
        s.execute("create table bench.sentences as select p.s, string_agg(v.w, ' ' order by p.k) as t"
                + " from bench.picks p join bench.vocab v using (i) group by p.s");
        s.execute("alter table bench.sentences add primary key (s)");
    }

    static void dropSearchIndexes(Statement s) throws Exception {
        for (String index : INDEXES) {
            s.execute("drop index if exists telemetry." + index);
        }
    }

    /** Builds the span search indexes with the migrations' statements; {@code maintenanceWorkMem} for this session. */
    static void createSearchIndexes(Statement s, String maintenanceWorkMem) throws Exception {
        s.execute("set maintenance_work_mem = '" + maintenanceWorkMem + "'");
        List<String> statements = new ArrayList<>(statements("V11__trace_list_and_search.sql"));
        statements.addAll(statements("V12__search_by_day.sql"));
        for (String index : INDEXES) {
            String create = statements.stream()
                    .filter(st -> st.contains(" " + index + " "))
                    .filter(st -> st.startsWith("create index"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no migration creates " + index));
            s.execute(create);
        }
        s.execute("reset maintenance_work_mem");
    }

    private static List<String> statements(String migration) throws IOException {
        try (InputStream in = ExplorerData.class.getResourceAsStream("/db/telemetry/" + migration)) {
            if (in == null) {
                throw new IllegalStateException(migration + " is not on the class path");
            }
            StringBuilder sql = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.startsWith("--")) {
                    sql.append(line).append('\n');
                }
            }
            List<String> statements = new ArrayList<>();
            for (String st : sql.toString().split(";")) {
                if (!st.isBlank()) {
                    statements.add(st.trim());
                }
            }
            return statements;
        }
    }

    /** For each of {@link #SHARES} the word whose estimated share is nearest (by ratio), then the absent word. */
    static List<Word> words(Connection c) throws Exception {
        List<Word> words = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            for (double share : SHARES) {
                try (ResultSet r = s.executeQuery(String.format(java.util.Locale.ROOT, """
                        select w, 1 - power(1 - n / 100000.0, 8) as share from (
                            select v.w, count(distinct p.s) as n from bench.picks p join bench.vocab v using (i)
                            group by v.w) x
                        order by abs(ln((1 - power(1 - n / 100000.0, 8)) / %f)), w limit 1""", share))) {
                    r.next();
                    words.add(new Word(r.getString(1), r.getDouble(2)));
                }
            }
        }
        words.add(new Word(ABSENT, 0));
        return words;
    }
}
