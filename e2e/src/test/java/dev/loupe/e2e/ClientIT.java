package dev.loupe.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.loupe.client.ClientListener;
import dev.loupe.client.ClientMetrics;
import dev.loupe.client.Decision;
import dev.loupe.client.Feedback;
import dev.loupe.client.FeedbackException;
import dev.loupe.client.Ids;
import dev.loupe.client.LoupeClient;
import dev.loupe.client.Span;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.events.Topics;
import dev.loupe.testing.TopicReader;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The client library apps use (module {@code client}) against the real collector, feedback-service and broker. */
@ExtendWith(LoupeStack.Extension.class)
class ClientIT {
    private static final Pattern REQUEST_COUNTS =
            Pattern.compile("^http_server_requests_seconds_count\\{([^}]*)} ([0-9.eE+]+)$", Pattern.MULTILINE);

    private final LoupeStack stack;

    ClientIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    void twelveHundredSpansAreStoredAndTravelInThreeRequests() {
        List<Span> spans = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            String traceId = Ids.traceId();
            for (int i = 0; i < 300; i++) {
                spans.add(Span.llm("gpt-4o")
                        .traceId(traceId)
                        .feature("client-batching")
                        .tokens(100, 20)
                        .end()
                        .build());
            }
        }
        double collectorBefore = collectorAnswered200("/v1/spans");

        ClientMetrics metrics;
        // no timer fires within the test: batches form by size (the default 500) and by flush() alone
        try (LoupeClient client = client(stack.projectA().secretKey(), b -> b.flushInterval(Duration.ofMinutes(5)))) {
            spans.forEach(span -> assertThat(client.send(span)).isTrue());
            assertThat(client.flush(Duration.ofSeconds(60))).isTrue();
            metrics = client.metrics();
        }

        double collectorCounted = collectorAnswered200("/v1/spans") - collectorBefore;
        Map<String, List<String>> stored = spans.stream()
                .map(Span::traceId)
                .distinct()
                .collect(Collectors.toMap(Function.identity(), traceId -> storedSpanIds(traceId, 300)));
        long storedCount = stored.values().stream().mapToLong(List::size).sum();
        System.out.printf(
                "ClientIT batching: enqueued %d, acknowledged %d, stored %d, client requests %d, "
                        + "collector counted %.0f answers 200 on /v1/spans%n",
                metrics.enqueued(), metrics.sent(), storedCount, metrics.requests(), collectorCounted);

        assertThat(metrics).isEqualTo(new ClientMetrics(0, 1_200, 1_200, 0, 0, 0, 0, 3));
        assertThat(collectorCounted).as("the collector saw the same requests").isEqualTo(3.0);
        assertStoredOnce(stored.values().stream().flatMap(List::stream).toList(), spans);
    }

    @Test
    void closeRightAfterSendingDeliversEverythingQueued() {
        List<Span> spans = new ArrayList<>();
        String traceId = Ids.traceId();
        LoupeClient client = client(stack.projectA().secretKey(), b -> {});
        for (int i = 0; i < 300; i++) {
            Span span = Span.of(SpanKind.CHAIN)
                    .traceId(traceId)
                    .feature("client-close")
                    .build();
            spans.add(span);
            client.send(span);
        }
        client.close();
        ClientMetrics metrics = client.metrics();

        System.out.printf(
                "ClientIT close: enqueued %d, acknowledged %d, requests %d%n",
                metrics.enqueued(), metrics.sent(), metrics.requests());
        assertThat(metrics.sent()).isEqualTo(300);
        assertThat(metrics.queued() + metrics.failed() + metrics.dropped()).isZero();
        assertThat(client.send(Span.of(SpanKind.CHAIN).build()))
                .as("closed: dropped")
                .isFalse();
        assertThat(Thread.getAllStackTraces().keySet())
                .as("the flusher thread stopped")
                .noneMatch(t -> t.getName().equals("loupe-client-flusher") && t.isAlive());
        List<String> stored = storedSpanIds(traceId, 300);
        System.out.printf("ClientIT close: stored %d%n", stored.size());
        assertStoredOnce(stored, spans);
    }

    @Test
    void aWrongKeyCostsOneRequestAndTheBatchIsCountedFailedNotRetried() {
        List<ClientListener.BatchFailure> failures = new CopyOnWriteArrayList<>();
        List<ClientListener.Retry> retries = new CopyOnWriteArrayList<>();
        ClientListener listener = new ClientListener() {
            @Override
            public void onRetry(Retry retry) {
                retries.add(retry);
            }

            @Override
            public void onBatchFailed(BatchFailure failure) {
                failures.add(failure);
            }
        };
        String wrongKey = "lk_00000000000000aa_" + "0".repeat(48);
        ClientMetrics metrics;
        // a quick backoff: had the client retried the 401, it would have used its 8 attempts well within the test
        try (LoupeClient client = client(
                wrongKey,
                b -> b.backoff(Duration.ofMillis(20), Duration.ofMillis(50)).listener(listener))) {
            for (int i = 0; i < 50; i++) {
                client.send(Span.llm("gpt-4o").build());
            }
            assertThat(client.flush(Duration.ofSeconds(30))).isTrue();
            metrics = client.metrics();
        }

        System.out.printf(
                "ClientIT wrong key: enqueued %d, acknowledged %d, failed %d, requests %d, retries %d, "
                        + "failure %s%n",
                metrics.enqueued(), metrics.sent(), metrics.failed(), metrics.requests(), metrics.retries(), failures);
        assertThat(metrics).isEqualTo(new ClientMetrics(0, 50, 0, 0, 0, 50, 0, 1));
        assertThat(retries).isEmpty();
        assertThat(failures).singleElement().satisfies(f -> {
            assertThat(f.status()).isEqualTo(401);
            assertThat(f.items()).isEqualTo(50);
            assertThat(f.path()).isEqualTo("/v1/spans");
            assertThat(f.title()).isEqualTo("Unauthorized");
            assertThat(f.detail()).contains("API key");
        });
    }

    @Test
    void aBrokerOutageIsWaitedOutAsRetryAfterSaysAndEverySpanIsStoredOnce() {
        List<ClientListener.Retry> retries = new CopyOnWriteArrayList<>();
        ClientListener listener = new ClientListener() {
            @Override
            public void onRetry(Retry retry) {
                retries.add(retry);
            }
        };
        String traceId = Ids.traceId();
        List<Span> spans = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            spans.add(Span.llm("gpt-4o")
                    .traceId(traceId)
                    .feature("client-outage")
                    .tokens(10, 5)
                    .build());
        }
        ClientMetrics metrics;
        boolean brokerUp = true;
        // without Retry-After the client would wait 50..200 ms: a wait of whole seconds can only be the header's
        try (LoupeClient client = client(
                stack.projectA().secretKey(),
                b -> b.listener(listener)
                        .backoff(Duration.ofMillis(100), Duration.ofMillis(200))
                        .retryBudget(1_000, Duration.ofMinutes(4)))) {
            stack.kafka().kill();
            brokerUp = false;
            spans.forEach(client::send);
            await("two 503 answers retried")
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> retries.stream().filter(r -> r.status() == 503).count() >= 2);
            stack.kafka().start();
            brokerUp = true;
            assertThat(client.flush(Duration.ofMinutes(3))).isTrue();
            metrics = client.metrics();
        } finally {
            if (!brokerUp) {
                stack.kafka().start();
            }
            stack.awaitAllReady(); // the stack is shared: leave every service ready, as found
        }

        List<String> stored = storedSpanIds(traceId, 200);
        long onKafka = TopicReader.readAll(stack.kafka().bootstrapServers(), Topics.SPANS).stream()
                .filter(r -> traceId.equals(r.key()))
                .count();
        List<ClientListener.Retry> on503 =
                retries.stream().filter(r -> r.status() == 503).toList();
        System.out.printf(
                "FAULT client, broker outage: enqueued %d, acknowledged %d, stored %d, records on Kafka %d, "
                        + "requests %d, retries %d (503 with Retry-After %s, waits %s)%n",
                metrics.enqueued(),
                metrics.sent(),
                stored.size(),
                onKafka,
                metrics.requests(),
                metrics.retries(),
                on503.stream().map(ClientListener.Retry::retryAfter).distinct().toList(),
                on503.stream().map(r -> r.delay().toMillis() + " ms").toList());

        assertThat(on503).allSatisfy(r -> {
            assertThat(r.retryAfter())
                    .as("the collector's 503 carries Retry-After")
                    .isNotNull();
            assertThat(r.delay())
                    .as("waited as Retry-After said")
                    .isEqualTo(Duration.ofSeconds(Long.parseLong(r.retryAfter().trim())));
            assertThat(r.delay()).isGreaterThan(Duration.ofMillis(200));
        });
        assertThat(metrics.sent()).isEqualTo(200);
        assertThat(metrics.failed() + metrics.rejected() + metrics.dropped() + metrics.queued())
                .isZero();
        assertThat(metrics.retries()).isGreaterThanOrEqualTo(2);
        assertStoredOnce(stored, spans);
        assertThat(onKafka).as("at least once on the topic").isGreaterThanOrEqualTo(200);
    }

    @Test
    void aDecisionAndItsSpansComeBackFieldForField() {
        Span root = Span.of(SpanKind.CHAIN)
                .name("answer refund question")
                .feature("client-rag")
                .end()
                .build();
        Span retrieval = Span.retrieval("kb-search")
                .childOf(root)
                .feature("client-rag")
                .end()
                .build();
        Span llm = Span.llm("gpt-4o")
                .provider("openai")
                .childOf(root)
                .feature("client-rag")
                .startTime(Instant.now().minusMillis(1_250))
                .endTime(Instant.now())
                .tokens(812, 143)
                .cachedInputTokens(100L)
                .costUsd(new BigDecimal("0.0042"))
                .prompt("How long do refunds take? Mail me at a@b.example")
                .completion("{\"days\": 5}")
                .parsedOutputJson("{\"days\": 5}")
                .sessionId("s-client")
                .userId("u-client")
                .promptTemplate("refund-answer")
                .promptVersion("7")
                .metadata("tier", "pro")
                .build();
        Span tool = Span.tool("lookup_order")
                .childOf(root)
                .error("TimeoutError", "order service timed out")
                .end()
                .build();
        Decision decision = Decision.create()
                .trace(root)
                .feature("client-rag")
                .input("How long do refunds take?")
                .retrieved("kb-12", 0.83, "Refunds are processed within 5 days.")
                .retrieved("kb-40", 0.41, "Shipping")
                .promptTemplate("refund-answer")
                .promptVersion("7")
                .model("gpt-4o")
                .output("{\"days\": 5}")
                .parsedOutputJson("{\"days\": 5}")
                .metadata("tier", "pro")
                .build();
        String decisionId = decision.decisionId();
        List<Span> spans = List.of(root, retrieval, llm, tool);

        ClientMetrics metrics;
        try (LoupeClient client = client(stack.projectA().secretKey(), b -> {})) {
            spans.forEach(client::send);
            client.send(decision);
            assertThat(client.flush(Duration.ofSeconds(30))).isTrue();
            metrics = client.metrics();
        }
        assertThat(metrics.sent()).isEqualTo(5);
        assertThat(metrics.rejected()).isZero();

        JsonPath view = await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(
                        () -> {
                            Response response = given().auth()
                                    .oauth2(stack.projectA().secretKey())
                                    .get(stack.url(LoupeStack.AGGREGATOR) + "/v1/decisions/" + decisionId);
                            return response.statusCode() == 200 ? response.jsonPath() : null;
                        },
                        v -> v != null && v.getList("spans").size() == 4);
        System.out.printf(
                "ClientIT decision: sent %d, stored decision %s with %d spans%n",
                metrics.sent(), decisionId, view.getList("spans").size());

        assertThat(view.getString("decision.traceId")).isEqualTo(root.traceId());
        assertThat(view.getList("decision.retrievalResults.docId")).containsExactly("kb-12", "kb-40");
        assertThat(view.getList("decision.retrievalResults.textHash")).doesNotContainNull();
        assertThat(view.getString("decision.promptTemplate")).isEqualTo("refund-answer");
        assertThat(view.getInt("decision.parsedOutput.days")).isEqualTo(5);
        String at = "spans.find { it.spanId == '" + llm.spanId() + "' }";
        assertThat(view.getString(at + ".kind")).isEqualTo("LLM");
        assertThat(view.getString(at + ".parentSpanId")).isEqualTo(root.spanId());
        assertThat(view.getLong(at + ".inputTokens")).isEqualTo(812);
        assertThat(view.getLong(at + ".cachedInputTokens")).isEqualTo(100);
        assertThat(new BigDecimal(view.getString(at + ".costUsd"))).isEqualByComparingTo("0.0042");
        assertThat(view.getLong(at + ".latencyMs")).isBetween(1_000L, 2_000L);
        assertThat(view.getString(at + ".prompt")).endsWith("[EMAIL]");
        assertThat(view.getString(at + ".metadata.promptTemplate")).isEqualTo("refund-answer");
        assertThat(view.getString(at + ".metadata.tier")).isEqualTo("pro");
        assertThat(view.getString(at + ".userId")).isNotEqualTo("u-client");
        String toolAt = "spans.find { it.spanId == '" + tool.spanId() + "' }";
        assertThat(view.getString(toolAt + ".status")).isEqualTo("ERROR");
        assertThat(view.getString(toolAt + ".toolName")).isEqualTo("lookup_order");
        assertThat(view.getString(toolAt + ".errorType")).isEqualTo("TimeoutError");

        // the builders write only fields of the records in common (the client cannot depend on it)
        Set<String> spanFields = components(SpanRecord.class.getRecordComponents());
        spans.forEach(s -> assertThat(s.toJson().fieldNames()).toIterable().isSubsetOf(spanFields));
        assertThat(decision.toJson().fieldNames())
                .toIterable()
                .isSubsetOf(components(DecisionRecord.class.getRecordComponents()));
    }

    @Test
    void feedbackReturnsItsIdAReplayTheSameOneAndARefusalNamesTheField() {
        String decisionId = Ids.decisionId();
        Feedback feedback = Feedback.of(decisionId, FeedbackSignal.EDITED)
                .correction("5 business days")
                .idempotencyKey("client-it-" + decisionId)
                .build();
        try (LoupeClient client = client(stack.projectA().secretKey(), b -> {})) {
            String first = client.feedback(feedback);
            String replay = client.feedback(feedback);

            assertThat(replay).isEqualTo(first);
            JsonPath stored = given().auth()
                    .oauth2(stack.projectA().secretKey())
                    .get(stack.url(LoupeStack.FEEDBACK) + "/v1/feedback?decisionId=" + decisionId)
                    .jsonPath();
            assertThat(stored.getList("feedback.feedbackId")).containsExactly(first);
            System.out.printf(
                    "ClientIT feedback: sent 2 (one replay), acknowledged id %s, stored %d%n",
                    first, stored.getList("feedback").size());

            assertThatThrownBy(() -> client.feedback(
                            Feedback.of(decisionId, FeedbackSignal.EDITED).build()))
                    .isInstanceOfSatisfying(FeedbackException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.field()).isEqualTo("correction");
                        assertThat(e.detail()).isNotBlank();
                        assertThat(e.isClientError()).isTrue();
                    });
        }
        try (LoupeClient withoutFeedbackScope = LoupeClient.builder()
                .feedback(stack.url(LoupeStack.FEEDBACK), stack.projectA().secretKey())
                .build()) {
            assertThatThrownBy(() -> withoutFeedbackScope.feedback(
                            Feedback.of(decisionId, FeedbackSignal.CORRECT).build()))
                    .isInstanceOfSatisfying(FeedbackException.class, e -> {
                        assertThat(e.status()).isEqualTo(403);
                        assertThat(e.field()).isEqualTo("Authorization");
                    });
        }
    }

    private LoupeClient client(String collectorKey, Consumer<LoupeClient.Builder> settings) {
        LoupeClient.Builder builder = LoupeClient.builder()
                .collector(stack.url(LoupeStack.COLLECTOR), collectorKey)
                .feedback(stack.url(LoupeStack.FEEDBACK), stack.projectA().publicKey());
        settings.accept(builder);
        return builder.build();
    }

    /** The span ids stored for a trace, once at least {@code expected} are there (duplicates kept, to be caught). */
    private List<String> storedSpanIds(String traceId, int expected) {
        return await("trace " + traceId + " stored")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> {
                            Response response = given().auth()
                                    .oauth2(stack.projectA().secretKey())
                                    .get(stack.url(LoupeStack.AGGREGATOR) + "/v1/traces/" + traceId);
                            return response.statusCode() == 200
                                    ? response.jsonPath().<String>getList("spans.spanId")
                                    : List.<String>of();
                        },
                        ids -> ids.size() >= expected);
    }

    private static void assertStoredOnce(List<String> stored, Collection<Span> sent) {
        assertThat(stored)
                .as("every span stored, none twice")
                .containsExactlyInAnyOrderElementsOf(
                        sent.stream().map(Span::spanId).toList());
    }

    /** POST answers with 200 the collector counted on {@code uri} (http_server_requests_seconds_count). */
    private double collectorAnswered200(String uri) {
        String metrics = given().get(stack.url(LoupeStack.COLLECTOR) + "/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        double total = 0;
        Matcher m = REQUEST_COUNTS.matcher(metrics);
        while (m.find()) {
            String labels = m.group(1);
            if (labels.contains("uri=\"" + uri + "\"")
                    && labels.contains("status=\"200\"")
                    && labels.contains("method=\"POST\"")) {
                total += Double.parseDouble(m.group(2));
            }
        }
        return total;
    }

    private static Set<String> components(RecordComponent[] components) {
        return Arrays.stream(components).map(RecordComponent::getName).collect(Collectors.toSet());
    }
}
