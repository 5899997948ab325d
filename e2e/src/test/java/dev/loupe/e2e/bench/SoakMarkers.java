package dev.loupe.e2e.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.e2e.LoupeStackAccess;
import dev.loupe.testing.TestSpans;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Visibility during the soak: every {@code every}, while the traffic runs, one marker trace of its own — a single
 * root span of the feature {@value #FEATURE}, no model, no tokens — sent to the collector over real HTTP with an
 * ingest key of the soak's project, then watched with {@link VisibilityWatch} (the end-to-end benchmark's polling,
 * every 20 ms by (project_id, trace_id)) until it is queryable. A marker not queryable {@code giveUp} after it was
 * accepted is lost. One span every few seconds next to thousands a second: the markers do not load the stack, and
 * the report counts them apart from the simulator's spans.
 */
final class SoakMarkers implements AutoCloseable {
    static final String FEATURE = "soak-visibility-marker";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Connection db;
    private final VisibilityWatch watch;
    private final String collector;
    private final String key;
    private final Duration every;
    private final Duration giveUp;
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private long lost;
    private long pollErrors;
    private volatile boolean sending = true;
    private final Thread thread;

    private SoakMarkers(Connection db, String projectId, String collector, String key, Duration every, Duration giveUp)
            throws SQLException {
        this.db = db;
        this.watch = new VisibilityWatch(db, projectId);
        this.collector = collector;
        this.key = key;
        this.every = every;
        this.giveUp = giveUp;
        this.thread = new Thread(this::run, "loupe-soak-markers");
        thread.setDaemon(true);
    }

    /**
     * Starts the markers for the project named {@code projectName} (the simulator created it; the newest of that
     * name), with an ingest key the bootstrap token issues for them.
     */
    static SoakMarkers start(LoupeStackAccess stack, String projectName, Duration every, Duration giveUp)
            throws Exception {
        Connection db = DriverManager.getConnection(
                stack.database().jdbcUrl(),
                stack.database().settings().user(),
                stack.database().settings().password());
        try {
            String projectId;
            try (PreparedStatement q = db.prepareStatement(
                    "select id from tenancy.projects where name = ? order by created_at desc limit 1")) {
                q.setString(1, projectName);
                try (ResultSet r = q.executeQuery()) {
                    if (!r.next()) {
                        throw new IllegalStateException("no project named " + projectName);
                    }
                    projectId = r.getString(1);
                }
            }
            SoakMarkers markers = new SoakMarkers(
                    db,
                    projectId,
                    stack.collectorUrl(),
                    ingestKey(stack.url("metrics-aggregator"), projectId, stack.bootstrapToken()),
                    every,
                    giveUp);
            markers.thread.start();
            return markers;
        } catch (Exception | Error e) {
            db.close();
            throw e;
        }
    }

    private static String ingestKey(String aggregator, String projectId, String bootstrapToken)
            throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(aggregator + "/v1/projects/" + projectId + "/keys"))
                                .timeout(Duration.ofSeconds(30))
                                .header("Authorization", "Bearer " + bootstrapToken)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(EventJson.mapper()
                                        .writeValueAsString(Map.of(
                                                "name", "soak-visibility-markers", "scopes", List.of("ingest")))))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException(
                    "issuing the markers' ingest key answered " + response.statusCode() + ": " + response.body());
        }
        JsonNode key = EventJson.mapper().readTree(response.body()).path("key");
        if (!key.isTextual()) {
            throw new IllegalStateException("no key in " + response.body());
        }
        return key.asText();
    }

    /** The request body of one marker: a trace of one root span. */
    static String marker(String traceId, Instant now) throws IOException {
        return EventJson.mapper()
                .writeValueAsString(Map.of(
                        "spans",
                        List.of(Map.of(
                                "traceId",
                                traceId,
                                "spanId",
                                TestSpans.randomHex(16),
                                "kind",
                                "OTHER",
                                "name",
                                "soak visibility marker",
                                "startTime",
                                now.toString(),
                                "endTime",
                                now.plusMillis(1).toString(),
                                "status",
                                "SUCCESS",
                                "feature",
                                FEATURE))));
    }

    private void run() {
        long next = System.nanoTime();
        while (sending || inFlight.get() > 0 || watch.waiting() > 0) {
            long now = System.nanoTime();
            if (sending && now - next >= 0) {
                send();
                next += every.toNanos();
                if (now - next > 0) {
                    next = now + every.toNanos(); // fell behind (a long pause): no burst to catch up
                }
            }
            try {
                watch.poll();
            } catch (SQLException e) {
                if (pollErrors++ == 0) {
                    System.out.println(
                            "[soak] markers: polling the database failed (counted as lost if it lasts): " + e);
                }
            }
            lost += watch.expire(System.nanoTime() - giveUp.toNanos());
            try {
                Thread.sleep(VisibilityWatch.POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void send() {
        String traceId = TestSpans.randomHex(32);
        String body;
        try {
            body = marker(traceId, Instant.now());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        inFlight.incrementAndGet();
        http.sendAsync(
                        HttpRequest.newBuilder(URI.create(collector + "/v1/spans"))
                                .timeout(Duration.ofSeconds(30))
                                .header("Authorization", "Bearer " + key)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .whenComplete((response, e) -> {
                    long accepted = System.nanoTime();
                    if (e == null && response.statusCode() == 200) {
                        watch.accepted(traceId, 1, accepted);
                    } else {
                        refused.incrementAndGet();
                    }
                    inFlight.decrementAndGet();
                });
    }

    /** Sends no more markers; those accepted are still watched. */
    void stop() {
        sending = false;
    }

    /**
     * Sends no more markers, waits for those accepted to be queryable or lost (at most the give-up time and the
     * last request's timeout), and returns the figures.
     */
    SoakVisibility finish() throws InterruptedException {
        sending = false;
        thread.join(giveUp.plusSeconds(40).toMillis());
        if (thread.isAlive()) {
            thread.interrupt();
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        return SoakVisibility.of(watch.visible(), lost + watch.waiting(), refused.get());
    }

    @Override
    public void close() throws SQLException {
        sending = false;
        thread.interrupt();
        try {
            watch.close();
        } finally {
            db.close();
        }
    }
}
