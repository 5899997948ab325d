package dev.loupe.collector.pricing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.loupe.collector.ingest.AdjustableTenancyClock;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.TestSpans;
import dev.loupe.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Acceptance (issue 21): a price override changes the cost of spans ingested after its effective time, and no
 * others. Real PostgreSQL holds the override (schema tenancy, as metrics-aggregator's PUT /v1/prices writes it),
 * real Kafka carries what the collector published.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@TestProfile(PriceOverrideIngestTest.MovableCache.class)
class PriceOverrideIngestTest {
    static final String BEFORE = "2026-11-27T10:00:00Z";
    static final String EFFECTIVE = "2026-11-27T12:00:00Z";
    static final String AFTER = "2026-11-27T13:00:00Z";

    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String keyA;

    @ConfigProperty(name = "loupe.test.project-a.id")
    String projectA;

    @ConfigProperty(name = "loupe.test.project-b.secret-key")
    String keyB;

    @Inject
    AdjustableTenancyClock clock;

    @Inject
    Pool pool;

    /** Overrides (like keys) are cached 30 s; the test moves the cache's clock instead of waiting. */
    public static class MovableCache implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("loupe.tenancy.cache-ttl", "30s", "loupe.tenancy.stale-if-error", "2m");
        }

        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(AdjustableTenancyClock.class);
        }
    }

    @Test
    void anOverrideChangesTheCostOfSpansStartedAfterItsEffectiveTimeAndNoOthers() {
        // built-in gpt-4o: $2.50 / $10 per million → 1,000 in + 100 out = $0.0035
        TestSpans earlier = gpt4o(BEFORE);
        assertThat(ingest(keyA, earlier).get(earlier.spanId()).costUsd()).isEqualByComparingTo("0.0035");

        // the project's negotiated price, from 12:00: $1 input, $2 output → 1,000 + 200 = $0.0012
        pool.preparedQuery("insert into tenancy.model_prices (project_id, provider, model, effective_from,"
                        + " input_per_million, output_per_million) values ($1, 'openai', 'gpt-4o', $2, 1, 2)")
                .execute(Tuple.of(projectA, OffsetDateTime.parse(EFFECTIVE)))
                .await()
                .indefinitely();

        // within the cache TTL the collector still prices with what it read before (README: up to cache-ttl)
        TestSpans cachedWindow = gpt4o(AFTER);
        assertThat(ingest(keyA, cachedWindow).get(cachedWindow.spanId()).costUsd())
                .isEqualByComparingTo("0.0035");

        clock.advance(Duration.ofSeconds(31));
        TestSpans after = gpt4o(AFTER);
        TestSpans atEffective = gpt4o(EFFECTIVE).with("model", "GPT-4o-2024-08-06");
        TestSpans startedBefore = gpt4o(BEFORE);
        Map<String, SpanRecord> published = ingest(keyA, after, atEffective, startedBefore);
        assertThat(published.get(after.spanId()).costUsd()).isEqualByComparingTo("0.0012");
        assertThat(published.get(atEffective.spanId()).costUsd()).isEqualByComparingTo("0.0012");
        assertThat(published.get(startedBefore.spanId()).costUsd()).isEqualByComparingTo("0.0035");

        // OTLP/HTTP is priced the same way
        String otlpTrace = TestSpans.randomHex(32);
        given().auth()
                .oauth2(keyA)
                .contentType(ContentType.JSON)
                .body(otlpChat(otlpTrace, AFTER))
                .post("/v1/traces")
                .then()
                .statusCode(200);
        SpanRecord otlp = EventJson.decode(
                TopicReader.awaitKey(Topics.SPANS, otlpTrace, Duration.ofSeconds(10))
                        .value(),
                SpanRecord.class);
        assertThat(otlp.costUsd()).isEqualByComparingTo("0.0012");

        // another project is not affected
        TestSpans otherProject = gpt4o(AFTER);
        assertThat(ingest(keyB, otherProject).get(otherProject.spanId()).costUsd())
                .isEqualByComparingTo("0.0035");
        // other models of the same project are not affected: gpt-4o-mini $0.15 / $0.60 → $0.00021
        TestSpans otherModel = gpt4o(AFTER).with("model", "gpt-4o-mini");
        assertThat(ingest(keyA, otherModel).get(otherModel.spanId()).costUsd()).isEqualByComparingTo("0.00021");
        // a cost the client sent is kept as sent
        TestSpans sentCost = gpt4o(AFTER).with("costUsd", new BigDecimal("0.5"));
        assertThat(ingest(keyA, sentCost).get(sentCost.spanId()).costUsd()).isEqualByComparingTo("0.5");
    }

    /** One OTLP/JSON GenAI chat span: openai gpt-4o, 1,000 input and 100 output tokens. */
    private static Map<String, Object> otlpChat(String traceId, String start) {
        long nanos = Instant.parse(start).getEpochSecond() * 1_000_000_000L;
        List<Map<String, Object>> attributes = List.of(
                attribute("gen_ai.operation.name", Map.of("stringValue", "chat")),
                attribute("gen_ai.provider.name", Map.of("stringValue", "openai")),
                attribute("gen_ai.request.model", Map.of("stringValue", "gpt-4o")),
                attribute("gen_ai.usage.input_tokens", Map.of("intValue", "1000")),
                attribute("gen_ai.usage.output_tokens", Map.of("intValue", "100")));
        Map<String, Object> span = Map.of(
                "traceId",
                traceId,
                "spanId",
                TestSpans.randomHex(16),
                "name",
                "chat gpt-4o",
                "kind",
                3,
                "startTimeUnixNano",
                String.valueOf(nanos),
                "endTimeUnixNano",
                String.valueOf(nanos + 900_000_000L),
                "attributes",
                attributes);
        return Map.of("resourceSpans", List.of(Map.of("scopeSpans", List.of(Map.of("spans", List.of(span))))));
    }

    private static Map<String, Object> attribute(String key, Map<String, Object> value) {
        return Map.of("key", key, "value", value);
    }

    private static TestSpans gpt4o(String start) {
        return TestSpans.llm()
                .with("startTime", start)
                .without("endTime")
                .with("inputTokens", 1000)
                .with("outputTokens", 100);
    }

    private static Map<String, SpanRecord> ingest(String key, TestSpans... spans) {
        given().auth()
                .oauth2(key)
                .contentType(ContentType.JSON)
                .body(TestSpans.batch(spans))
                .post("/v1/spans")
                .then()
                .statusCode(200)
                .body("accepted", equalTo(spans.length));
        Set<String> traces = Arrays.stream(spans).map(TestSpans::traceId).collect(Collectors.toSet());
        return TopicReader.await(Topics.SPANS, r -> traces.contains(r.key()), spans.length, Duration.ofSeconds(10))
                .stream()
                .map(r -> EventJson.decode(r.value(), SpanRecord.class))
                .collect(Collectors.toMap(SpanRecord::spanId, r -> r));
    }
}
