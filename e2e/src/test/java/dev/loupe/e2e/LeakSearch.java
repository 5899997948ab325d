package dev.loupe.e2e;

import dev.loupe.testing.TopicReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Everything the stack keeps, searched for a string: every row of every table of the test database (each row
 * cast to text, bytea also searched as hex), every record (key, value, headers) of every topic including the
 * dead-letter topics, and every service log. The security suite's canary and secret searches use it, and each
 * proves it works by finding a value it put where it is meant to be kept.
 */
final class LeakSearch implements AutoCloseable {
    private final Connection db;
    private final List<String> tables = new ArrayList<>();
    private final Map<String, List<String>> topics = new LinkedHashMap<>();
    private final Map<String, String> logs = new LinkedHashMap<>();

    private LeakSearch(Connection db) {
        this.db = db;
    }

    /** Reads the topics and logs as they are now; the database is queried at each {@link #find}. */
    static LeakSearch of(LoupeStack stack) {
        try {
            LeakSearch search = new LeakSearch(stack.database().connect());
            try (PreparedStatement s = search.db.prepareStatement("""
                    select table_schema || '.' || table_name from information_schema.tables
                    where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
                    order by 1""");
                    ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    search.tables.add(rows.getString(1));
                }
            }
            Set<String> names;
            try (Admin admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers()))) {
                names = new TreeSet<>(admin.listTopics().names().get());
            }
            for (String topic : names) {
                List<String> texts = new ArrayList<>();
                for (ConsumerRecord<String, String> r :
                        TopicReader.readAll(stack.kafka().bootstrapServers(), topic)) {
                    StringBuilder text =
                            new StringBuilder().append(r.key()).append('\n').append(r.value());
                    for (Header h : r.headers()) {
                        text.append('\n')
                                .append(h.key())
                                .append('=')
                                .append(h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8));
                    }
                    texts.add(text.toString());
                }
                search.topics.put(topic, texts);
            }
            try (Stream<Path> files = Files.list(stack.logDirectory())) {
                for (Path log : files.filter(p -> p.toString().endsWith(".log"))
                        .sorted()
                        .toList()) {
                    search.logs.put(log.getFileName().toString(), Files.readString(log, StandardCharsets.ISO_8859_1));
                }
            }
            return search;
        } catch (SQLException | IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("cannot list the topics", e);
        }
    }

    /** Where {@code needle} is kept: {@code db:<schema.table>}, {@code kafka:<topic>}, {@code log:<file>}. */
    List<String> find(String needle) {
        List<String> places = new ArrayList<>();
        String hex = HexFormat.of().formatHex(needle.getBytes(StandardCharsets.UTF_8));
        for (String table : tables) {
            try (PreparedStatement s = db.prepareStatement(
                    "select count(*) from " + table + " t where strpos(t::text, ?) > 0 or strpos(t::text, ?) > 0")) {
                s.setString(1, needle);
                s.setString(2, hex);
                try (ResultSet rows = s.executeQuery()) {
                    rows.next();
                    if (rows.getLong(1) > 0) {
                        places.add("db:" + table + " (" + rows.getLong(1) + " rows)");
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot search " + table, e);
            }
        }
        topics.forEach((topic, texts) -> {
            long n = texts.stream().filter(t -> t.contains(needle)).count();
            if (n > 0) {
                places.add("kafka:" + topic + " (" + n + " records)");
            }
        });
        logs.forEach((file, text) -> {
            if (text.contains(needle)) {
                places.add("log:" + file);
            }
        });
        return places;
    }

    /** The text of every service log, by file name. */
    Map<String, String> logs() {
        return logs;
    }

    String summary() {
        return tables.size() + " tables, " + topics.size() + " topics ("
                + topics.values().stream().mapToInt(List::size).sum() + " records), " + logs.size() + " log files ("
                + logs.values().stream().mapToLong(String::length).sum() / 1024 + " KiB)";
    }

    @Override
    public void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
