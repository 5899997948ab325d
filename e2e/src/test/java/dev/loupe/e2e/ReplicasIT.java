package dev.loupe.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.loupe.contracts.events.MetricWindow;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.TestProject;
import dev.loupe.testing.TestSpans;
import dev.loupe.testing.TopicReader;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 25's replica suite, on the shared stack: two collectors (the clients alternate between them), two
 * aggregators, two eval-runners (with an LLM judge that speaks OpenAI's chat-completions format) and two
 * alert-managers, the same database and broker. Spans with decisions and feedback, and a rule that fires before and
 * resolves after; mid-run one replica of each service is killed with SIGKILL, the alert-manager holding the dispatcher
 * lease among them. Then: every span, decision and feedback stored once; rollups exact; no (window, revision)
 * published twice; each sampled decision judged (a call the killed eval-runner had in flight may be made again);
 * one firing and one resolved notification; the failover time printed.
 */
@ExtendWith(LoupeStack.Extension.class)
class ReplicasIT {
    /** Spans of the bulk run; {@code -Dloupe.e2e.replicas.spans} lowers it for a quick local run. */
    private static final int SPANS = Integer.getInteger("loupe.e2e.replicas.spans", 100_000);

    private static final int TRACE = 5;
    private static final int BATCH = 500;
    /** The decision's id in its answer, digits written as letters g–p: redaction would take a run of digits for a phone. */
    private static final Pattern CASE = Pattern.compile("case (rd-[a-p-]+)\\)");

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final LoupeStack stack;

    ReplicasIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    void twoOfEachServiceLoseOneMidRunAndEveryCountStaysExact() throws Exception {
        TestProject project = stack.newProject("replicas-" + TestSpans.randomHex(6));
        String run = TestSpans.randomHex(8);
        String chat = "replicas-chat";
        String alerting = "replicas-alert";
        Map<String, AtomicInteger> judged = new ConcurrentHashMap<>();
        HttpServer judge = judge(judged);
        List<JsonNode> notified = new CopyOnWriteArrayList<>();
        HttpServer receiver = receiver(notified);
        Map<String, String> judgeEnv = Map.of(
                "LOUPE_JUDGE_BASE_URL", "http://127.0.0.1:" + judge.getAddress().getPort() + "/v1",
                "LOUPE_JUDGE_API_KEY", "sk-test-replicas",
                "LOUPE_JUDGE_MAX_CALLS_PER_MINUTE", "100000",
                "LOUPE_JUDGE_LEASE", "20s");
        List<ServiceProcess> replicas = new ArrayList<>();
        ServiceProcess originalAlerts = stack.service(LoupeStack.ALERTS);
        boolean originalAlertsKilled = false;
        try {
            configure(project, chat, alerting, receiver.getAddress().getPort());

            // the stack's eval-runner again with the judge, and a second replica of every service but feedback's
            long begun = System.nanoTime();
            ServiceProcess evals = stack.service(LoupeStack.EVALS);
            evals.stop();
            evals.start(judgeEnv, null);
            ServiceProcess collector2 = stack.startReplica(LoupeStack.COLLECTOR, 2, Map.of());
            ServiceProcess aggregator2 = stack.startReplica(LoupeStack.AGGREGATOR, 2, Map.of());
            ServiceProcess evals2 = stack.startReplica(LoupeStack.EVALS, 2, judgeEnv);
            ServiceProcess alerts2 = stack.startReplica(LoupeStack.ALERTS, 2, Map.of());
            replicas.addAll(List.of(collector2, aggregator2, evals2, alerts2));
            evals.awaitReady();
            replicas.forEach(ServiceProcess::awaitReady);
            System.out.printf("ReplicasIT: second replicas ready in %.1f s%n", (System.nanoTime() - begun) / 1e9);
            List<String> collectors = List.of(stack.url(LoupeStack.COLLECTOR), collector2.url());

            // the alert's series breaks in minute M: it fires (and is notified) before anything is killed
            Instant m = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(20));
            Clients clients = new Clients(collectors, project);
            clients.post("/v1/spans", "spans", alertSpans(alerting, m, true));
            await("the firing notification")
                    .atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> count(notified, alerting, "firing") == 1);

            // the bulk run: traces spread over the ten minutes before M, a decision every 20th trace (judged at a
            // sampling rate of 0.3), thumbs-up feedback on every 10th decision
            int traces = SPANS / TRACE;
            int batches = (SPANS + BATCH - 1) / BATCH;
            List<Map<String, Object>> decisions = new ArrayList<>();
            List<Map<String, Object>> feedback = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> sent = new ArrayList<>();
            AtomicInteger batchesSent = new AtomicInteger();
            int tracesPerBatch = BATCH / TRACE;
            for (int b = 0; b < batches; b++) {
                List<Map<String, Object>> spans = new ArrayList<>();
                List<Map<String, Object>> batchDecisions = new ArrayList<>();
                for (int t = b * tracesPerBatch; t < Math.min(traces, (b + 1) * tracesPerBatch); t++) {
                    String traceId = TestSpans.randomHex(32);
                    Instant start = m.minus(Duration.ofMinutes(10)).plusMillis((long) t * 600_000L / traces);
                    String decisionId = t % 20 == 0 ? "rd-" + run + "-" + t : null;
                    spans.addAll(trace(chat, traceId, start, t, decisionId));
                    if (decisionId != null) {
                        batchDecisions.add(decision(chat, traceId, decisionId, start));
                        if ((t / 20) % 10 == 0) {
                            feedback.add(Map.of("decisionId", decisionId, "signal", "thumbs_up"));
                        }
                    }
                }
                decisions.addAll(batchDecisions);
                sent.add(pool.submit(() -> {
                    clients.post("/v1/spans", "spans", spans);
                    if (!batchDecisions.isEmpty()) {
                        clients.post("/v1/decisions", "decisions", batchDecisions);
                    }
                    batchesSent.incrementAndGet();
                    return null;
                }));
            }

            // 40 % in: SIGKILL one replica of each, the alert-manager holding the dispatcher lease among them
            await().atMost(Duration.ofMinutes(5)).until(() -> batchesSent.get() >= batches * 2 / 5);
            long leaderPid = leaderPid();
            ServiceProcess leader = leaderPid == originalAlerts.pid() ? originalAlerts : alerts2;
            ServiceProcess survivor = leader == originalAlerts ? alerts2 : originalAlerts;
            long tokenBefore = leaseToken();
            Instant killed = Instant.now();
            collector2.kill();
            aggregator2.kill();
            evals2.kill();
            leader.kill();
            originalAlertsKilled = leader == originalAlerts;
            System.out.printf(
                    "ReplicasIT: killed (SIGKILL) collector 2, aggregator 2, eval-runner 2 and the dispatcher's"
                            + " alert-manager (%s) after %d of %d batches%n",
                    leader == originalAlerts ? "replica 1" : "replica 2", batchesSent.get(), batches);
            await("the surviving alert-manager takes the lease")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> leaseToken() > tokenBefore && leaderPid() == survivor.pid());
            long failoverMs = Duration.between(killed, leaseAcquiredAt()).toMillis();

            for (Future<?> f : sent) {
                f.get(10, TimeUnit.MINUTES);
            }
            pool.shutdown();
            for (Map<String, Object> f : feedback) {
                post(stack.url(LoupeStack.FEEDBACK) + "/v1/feedback", project.publicKey(), EventJson.encode(f), 202);
            }
            // the series recovers in minute M + 1: the new dispatcher sends the resolve, and no second firing
            clients.post("/v1/spans", "spans", alertSpans(alerting, m.plus(Duration.ofMinutes(1)), false));

            long expectedSpans = (long) traces * TRACE + 2L * 20;
            await("every span stored")
                    .atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> scalar("select count(*) from telemetry.spans where project_id = ?", project.id())
                            == expectedSpans);
            await("every decision and feedback stored")
                    .atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> scalar("select count(*) from telemetry.decisions where project_id = ?", project.id())
                                    == decisions.size()
                            && scalar("select count(*) from evals.decisions where project_id = ?", project.id())
                                    == decisions.size()
                            && scalar("select count(*) from telemetry.feedback where project_id = ?", project.id())
                                    == feedback.size());
            await("every sampled decision judged")
                    .atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> scalar(
                                    "select count(*) from evals.judge_jobs where project_id = ? and state <> 'done'",
                                    project.id())
                            == 0);
            await("the resolve notification")
                    .atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> count(notified, alerting, "resolved") == 1);
            // every window already due (the last two minutes' hold the evaluations just made, and wait for their
            // lateness allowance: what they publish later cannot be checked here)
            await("every due window published and settled")
                    .atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> scalar(
                                    "select count(*) from telemetry.window_marks where project_id = ?"
                                            + " and changes > closed_changes"
                                            + " and window_start < now() - interval '2 minutes'",
                                    project.id())
                            == 0);

            // rollups exact across the rebalance and the kill
            assertThat(scalar(
                            "select coalesce(sum(span_count), 0) from telemetry.span_rollup_1m where project_id = ?",
                            project.id()))
                    .isEqualTo(expectedSpans);
            assertThat(scalar(
                            "select coalesce(sum(span_count), 0) from telemetry.span_rollup_1h where project_id = ?",
                            project.id()))
                    .isEqualTo(expectedSpans);
            assertThat(scalar("select count(*) from feedback.feedback where project_id = ?", project.id()))
                    .isEqualTo(feedback.size());
            // no (window, revision) twice from the two aggregators
            Map<String, Long> windows = windows(project.id());
            Map<String, Long> twice = windows.entrySet().stream()
                    .filter(e -> e.getValue() > 1)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            assertThat(twice)
                    .as("(series, window, revision) published more than once")
                    .isEmpty();
            // each sampled decision judged; only a call in flight on the killed eval-runner may have been made again
            long sampled = scalar(
                    "select count(*) from evals.judge_jobs where project_id = ? and trigger = 'SAMPLED'", project.id());
            Map<String, Integer> calls = new HashMap<>();
            judged.forEach((id, n) -> {
                if (id.startsWith("rd-" + run + "-")) {
                    calls.put(id, n.get());
                }
            });
            long again = calls.values().stream().filter(n -> n > 1).count();
            assertThat(sampled).isPositive();
            assertThat(calls).hasSize((int) sampled);
            assertThat(again)
                    .as("decisions judged twice (in flight on the killed replica)")
                    .isLessThanOrEqualTo(32);
            assertThat(count(notified, alerting, "firing"))
                    .as("firing notifications")
                    .isEqualTo(1);
            assertThat(count(notified, alerting, "resolved"))
                    .as("resolved notifications")
                    .isEqualTo(1);
            System.out.printf(
                    "FAULT replicas (2 collectors, 2 aggregators, 2 eval-runners, 2 alert-managers), one of each"
                            + " SIGKILLed mid-run: spans %d stored of %d sent, rollups exact; decisions %d, feedback %d;"
                            + " windows published %d, (window, revision) twice: %d; judge calls %d for %d sampled"
                            + " decisions (%d made again); notifications firing %d, resolved %d; dispatcher failover"
                            + " %d ms%n",
                    scalar("select count(*) from telemetry.spans where project_id = ?", project.id()),
                    expectedSpans,
                    decisions.size(),
                    feedback.size(),
                    windows.values().stream().mapToLong(Long::longValue).sum(),
                    twice.size(),
                    calls.values().stream().mapToInt(Integer::intValue).sum(),
                    sampled,
                    again,
                    count(notified, alerting, "firing"),
                    count(notified, alerting, "resolved"),
                    failoverMs);
            assertThat(failoverMs).as("failover within 10 s").isLessThan(10_000);
        } finally {
            // leave the shared stack as the other tests expect it: one of each, eval-runner without the judge
            for (ServiceProcess r : replicas) {
                r.stop();
            }
            if (originalAlertsKilled) {
                originalAlerts.start();
            }
            ServiceProcess evals = stack.service(LoupeStack.EVALS);
            evals.stop();
            evals.start();
            originalAlerts.awaitReady();
            evals.awaitReady();
            judge.stop(0);
            receiver.stop(0);
        }
    }

    private void configure(TestProject project, String chat, String alerting, int receiverPort) {
        given().auth()
                .oauth2(project.adminKey())
                .contentType(ContentType.JSON)
                .body("""
                        {"samplingRate": 0.3, "maxPerMinute": 100000, "evaluators": [
                          {"name": "llm_judge", "config": {"rubric": "The answer is polite and on topic"}}]}""")
                .put(stack.url(LoupeStack.EVALS) + "/v1/features/" + chat + "/evaluation")
                .then()
                .statusCode(200);
        String alerts = stack.url(LoupeStack.ALERTS);
        given().auth()
                .oauth2(project.adminKey())
                .contentType(ContentType.JSON)
                .body(Map.of("type", "webhook", "url", "http://127.0.0.1:" + receiverPort + "/hook"))
                .put(alerts + "/v1/receivers/default")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(project.adminKey())
                .contentType(ContentType.JSON)
                .body("""
                        {"receiver": "default", "groupBy": ["alertname", "feature"], "groupWait": "PT1S",
                         "groupInterval": "PT2S", "repeatInterval": "PT1H"}""")
                .put(alerts + "/v1/routes")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(project.adminKey())
                .contentType(ContentType.JSON)
                .body("""
                        {"metric": "error_rate", "groupBy": ["feature"], "filter": {"feature": "%s"},
                         "condition": {"type": "static", "direction": "above", "value": 0.3}, "for": "PT0S",
                         "severity": "critical", "owner": "team-e2e", "runbookUrl": "https://runbooks.example/e2e.md"}""".formatted(alerting))
                .put(alerts + "/v1/rules/errors-" + alerting)
                .then()
                .statusCode(201);
    }

    /** 20 one-span traces of the alert's feature in {@code minute}, half failing when {@code broken}. */
    private static List<Map<String, Object>> alertSpans(String feature, Instant minute, boolean broken) {
        List<Map<String, Object>> spans = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Instant start = minute.plusSeconds(2L * i + 1);
            TestSpans span = TestSpans.llm()
                    .with("feature", feature)
                    .with("startTime", start.toString())
                    .with("endTime", start.plusMillis(400).toString())
                    .with("decisionId", null);
            if (broken && i % 2 == 0) {
                span.with("status", "ERROR").with("errorType", "rate_limit");
            }
            spans.add(span.build());
        }
        return spans;
    }

    /** A trace: a root naming the feature, sent last, and its children (which learn the feature from it). */
    private static List<Map<String, Object>> trace(
            String feature, String traceId, Instant start, int t, String decisionId) {
        String root = TestSpans.randomHex(16);
        List<Map<String, Object>> spans = new ArrayList<>();
        for (int i = 1; i < TRACE; i++) {
            Instant at = start.plusMillis(20L * i);
            spans.add(TestSpans.llm()
                    .with("traceId", traceId)
                    .with("parentSpanId", root)
                    .with("feature", null)
                    .with("sessionId", "rs-" + (t % 50))
                    .with("model", i % 2 == 0 ? "gpt-4o" : "gpt-4o-mini")
                    .with("startTime", at.toString())
                    .with("endTime", at.plusMillis(300).toString())
                    .with("decisionId", decisionId)
                    .build());
        }
        spans.add(TestSpans.llm()
                .with("traceId", traceId)
                .with("spanId", root)
                .with("kind", "AGENT")
                .with("name", "answer")
                .with("feature", feature)
                .with("sessionId", "rs-" + (t % 50))
                .with("startTime", start.toString())
                .with("endTime", start.plusMillis(900).toString())
                .with("decisionId", decisionId)
                .build());
        return spans;
    }

    private static Map<String, Object> decision(String feature, String traceId, String id, Instant at) {
        Map<String, Object> d = new HashMap<>();
        d.put("decisionId", id);
        d.put("traceId", traceId);
        d.put("feature", feature);
        d.put("input", "Where is my order?");
        // the id in the answer: the judge's prompt carries it, so each judge call says which decision it judged
        d.put("output", "It ships tomorrow (case " + toLetters(id) + ").");
        d.put("model", "gpt-4o");
        d.put("occurredAt", at.toString());
        return d;
    }

    /** "rd-1f-20" → "rd-hf-ig": digits as the letters g–p (hex letters and '-' stay). */
    static String toLetters(String id) {
        StringBuilder out = new StringBuilder(id.length());
        for (char c : id.toCharArray()) {
            out.append(c >= '0' && c <= '9' ? (char) ('g' + (c - '0')) : c);
        }
        return out.toString();
    }

    static String fromLetters(String marker) {
        StringBuilder out = new StringBuilder(marker.length());
        for (char c : marker.toCharArray()) {
            out.append(c >= 'g' && c <= 'p' ? (char) ('0' + (c - 'g')) : c);
        }
        return out.toString();
    }

    /** The apps' clients: each request to the next collector in turn; a failed one again on the other. */
    private static final class Clients {
        private final List<String> collectors;
        private final TestProject project;
        private final AtomicLong next = new AtomicLong();

        Clients(List<String> collectors, TestProject project) {
            this.collectors = collectors;
            this.project = project;
        }

        void post(String path, String field, List<Map<String, Object>> items) {
            String body = EventJson.encode(Map.of(field, items));
            long first = next.getAndIncrement();
            for (int attempt = 0; attempt < 60; attempt++) {
                String collector = collectors.get((int) ((first + attempt) % collectors.size()));
                int status = ReplicasIT.post(collector + path, project.secretKey(), body, 200);
                if (status == 200) {
                    return;
                }
                pause(attempt == 0 ? 0 : 200);
            }
            throw new AssertionError(path + " refused 60 times by both collectors");
        }
    }

    /** POSTs JSON; answers the status, -1 when the connection failed (a killed replica). */
    private static int post(String url, String key, String body, int expected) {
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(30))
                            .header("Authorization", "Bearer " + key)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == expected
                    && expected == 200
                    && response.body().contains("\"rejected\":[{")) {
                throw new AssertionError("items rejected by " + url + ": " + response.body());
            }
            return response.statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -2;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** An OpenAI-compatible judge: counts the calls per decision (the "case" marker in the prompt) and scores 0.9. */
    private static HttpServer judge(Map<String, AtomicInteger> calls) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", exchange -> {
            String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Matcher matcher = CASE.matcher(request);
            if (matcher.find()) {
                calls.computeIfAbsent(fromLetters(matcher.group(1)), k -> new AtomicInteger())
                        .incrementAndGet();
            }
            byte[] body = ("{\"id\": \"chatcmpl-replicas\", \"object\": \"chat.completion\", \"created\": "
                            + Instant.now().getEpochSecond() + ", \"model\": \"gpt-4o-mini-2024-07-18\","
                            + " \"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\", \"content\":"
                            + " \"{\\\"score\\\": 0.9, \\\"reason\\\": \\\"polite and on topic\\\"}\", \"refusal\":"
                            + " null}, \"logprobs\": null, \"finish_reason\": \"stop\"}], \"usage\":"
                            + " {\"prompt_tokens\": 120, \"completion_tokens\": 12, \"total_tokens\": 132}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        return server;
    }

    private static HttpServer receiver(List<JsonNode> received) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            received.add(EventJson.mapper().readTree(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static long count(List<JsonNode> received, String feature, String status) {
        return received.stream()
                .filter(n -> n.path("groupKey").asText().contains(feature)
                        && status.equals(n.path("status").asText()))
                .count();
    }

    /** This project's windows on the topic, counted by (metric, dimensions, window start, revision). */
    private Map<String, Long> windows(String projectId) {
        Map<String, Long> counted = new HashMap<>();
        for (ConsumerRecord<String, String> r :
                TopicReader.readAll(stack.kafka().bootstrapServers(), Topics.METRIC_WINDOWS)) {
            // the shared topic also holds other tests' records, PoisonRecordsIT's unreadable ones among them: only
            // this project's keys (project|metric|dimensions) are read
            if (r.key() == null || !r.key().startsWith(projectId + "|")) {
                continue;
            }
            MetricWindow w = EventJson.decode(r.value(), MetricWindow.class);
            if (w.projectId().equals(projectId)) {
                counted.merge(
                        w.metric() + " " + w.dimensions() + " " + w.windowStart() + " r" + w.revision(), 1L, Long::sum);
            }
        }
        return counted;
    }

    private long leaderPid() {
        String holder = text("select holder from alerting.leases where name = 'dispatcher'");
        String[] parts = holder == null ? new String[0] : holder.split("/");
        return parts.length >= 2 ? Long.parseLong(parts[parts.length - 2]) : -1;
    }

    private long leaseToken() {
        String token = text("select token::text from alerting.leases where name = 'dispatcher'");
        return token == null ? -1 : Long.parseLong(token);
    }

    private Instant leaseAcquiredAt() {
        return Instant.parse(text("select to_char(acquired_at at time zone 'UTC',"
                + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') from alerting.leases where name = 'dispatcher'"));
    }

    private String text(String sql) {
        try (Connection c = stack.database().connect();
                PreparedStatement s = c.prepareStatement(sql);
                ResultSet rs = s.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private long scalar(String sql, String projectId) {
        try (Connection c = stack.database().connect();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, projectId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
