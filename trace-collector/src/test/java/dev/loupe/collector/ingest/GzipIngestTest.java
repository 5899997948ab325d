package dev.loupe.collector.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.TestSpans;
import dev.loupe.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * {@code Content-Encoding: gzip} on the native endpoints ({@code ContentEncodingInterceptor}): a gzipped batch is
 * published exactly as the same batch sent plain; the body limit applies after decompression; bad gzip, a body that
 * inflates past the limit and other encodings are problem+json, never a 500.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class GzipIngestTest {
    /** {@code loupe.collector.max-body-bytes}' default. */
    static final int LIMIT = 5 * 1024 * 1024;

    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String secretKey;

    @Test
    void gzippedSpanBatchIsPublishedExactlyAsThePlainOne() {
        TestSpans span = TestSpans.llm().with("prompt", "mail me at ann@example.com");
        byte[] body = EventJson.encodeBytes(TestSpans.batch(span));

        post("/v1/spans", body, null).statusCode(200).body("accepted", equalTo(1));
        post("/v1/spans", gzip(body), "gzip").statusCode(200).body("accepted", equalTo(1));

        List<ConsumerRecord<String, String>> published =
                TopicReader.await(Topics.SPANS, r -> span.traceId().equals(r.key()), 2, Duration.ofSeconds(10));
        assertThat(published).hasSize(2);
        assertThat(withoutReceivedAt(published.get(1).value()))
                .isEqualTo(withoutReceivedAt(published.get(0).value()));
        assertThat(published.get(1).value()).contains("[EMAIL]").doesNotContain("ann@example.com");
    }

    @Test
    void gzippedDecisionBatchIsPublishedExactlyAsThePlainOne() {
        String decisionId = "d-gzip-" + TestSpans.randomHex(8);
        byte[] body = EventJson.encodeBytes(Map.of(
                "decisions",
                List.of(Map.of(
                        "decisionId", decisionId,
                        "feature", "support-rag",
                        "input", "refund order 17?",
                        "retrievalResults", List.of(Map.of("docId", "kb-12", "score", 0.82, "text", "30 days")),
                        "occurredAt", "2026-11-27T10:00:00Z"))));

        post("/v1/decisions", body, "identity").statusCode(200).body("accepted", equalTo(1));
        post("/v1/decisions", gzip(body), "GZIP").statusCode(200).body("accepted", equalTo(1));

        List<ConsumerRecord<String, String>> published =
                TopicReader.await(Topics.DECISIONS, r -> decisionId.equals(r.key()), 2, Duration.ofSeconds(10));
        assertThat(withoutReceivedAt(published.get(1).value()))
                .isEqualTo(withoutReceivedAt(published.get(0).value()));
    }

    @Test
    void itemsAreStillJudgedOneByOneInsideAGzippedBatch() {
        byte[] body = EventJson.encodeBytes(
                TestSpans.batch(TestSpans.llm(), TestSpans.llm().with("traceId", "not-hex")));
        post("/v1/spans", gzip(body), "gzip")
                .statusCode(200)
                .body("accepted", equalTo(1))
                .body("rejected.field", equalTo(List.of("spans[1].traceId")));
    }

    @Test
    void garbageSentAsGzipIsA400NamingTheBody() {
        byte[] garbage = "{\"spans\": []} is not gzip".getBytes(StandardCharsets.UTF_8);
        problem(post("/v1/spans", garbage, "gzip"), 400, "body");
        problem(post("/v1/decisions", garbage, "gzip"), 400, "body");
    }

    @Test
    void truncatedGzipIsA400NamingTheBody() {
        byte[] compressed = gzip(EventJson.encodeBytes(TestSpans.batch(TestSpans.llm())));
        problem(post("/v1/spans", Arrays.copyOf(compressed, compressed.length - 12), "gzip"), 400, "body");
    }

    @Test
    void theLimitAppliesToTheDecompressedBodyExactly() {
        // a valid batch padded with whitespace to exactly the limit is accepted; one byte more is 413
        TestSpans span = TestSpans.llm();
        byte[] json = EventJson.encodeBytes(TestSpans.batch(span));
        byte[] atLimit = padded(json, LIMIT);
        byte[] pastLimit = padded(json, LIMIT + 1);
        assertThat(gzip(pastLimit).length).isLessThan(64 * 1024);

        post("/v1/spans", gzip(atLimit), "gzip").statusCode(200).body("accepted", equalTo(1));
        problem(post("/v1/spans", gzip(pastLimit), "gzip"), 413, "body");
    }

    @Test
    void smallGzipThatExpandsPastTheLimitIs413() {
        byte[] bomb = gzip(new byte[16 * LIMIT]); // 80 MiB of zeros in about 80 KiB
        assertThat(bomb.length).isLessThan(128 * 1024);
        problem(post("/v1/spans", bomb, "gzip"), 413, "body");
        problem(post("/v1/decisions", bomb, "gzip"), 413, "body");
    }

    @Test
    void otherEncodingsAre415NamingTheHeader() {
        byte[] body = EventJson.encodeBytes(TestSpans.batch(TestSpans.llm()));
        problem(post("/v1/spans", body, "br"), 415, "Content-Encoding");
        problem(post("/v1/decisions", body, "deflate"), 415, "Content-Encoding");
    }

    private ValidatableResponse post(String path, byte[] body, String contentEncoding) {
        var request = given().auth().oauth2(secretKey).contentType("application/json");
        if (contentEncoding != null) {
            request.header("Content-Encoding", contentEncoding);
        }
        return request.body(body).when().post(path).then();
    }

    private static void problem(ValidatableResponse response, int status, String field) {
        response.statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status))
                .body("field", equalTo(field))
                .body("rejected", equalTo(null));
    }

    private static String withoutReceivedAt(String record) {
        ObjectNode node;
        try {
            node = (ObjectNode) EventJson.mapper().readTree(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        node.remove("receivedAt"); // spans only: the time the collector read each request
        return node.toString();
    }

    private static byte[] padded(byte[] json, int length) {
        byte[] out = Arrays.copyOf(json, length);
        Arrays.fill(out, json.length, length, (byte) ' ');
        return out;
    }

    static byte[] gzip(byte[] body) {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(compressed)) {
            out.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return compressed.toByteArray();
    }
}
