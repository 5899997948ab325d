package dev.loupe.contracts.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.json.EventJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract test between the language SDKs ({@code sdk/}) and the services: each SDK's sample script builds,
 * through its public API only, a fully populated span, a decision with every field and a feedback, sends them to
 * an HTTP server of its own and prints the bodies as they went on the wire (plus, under {@code expected}, what
 * the wire must carry, in the contract's names). Here they are decoded with the services' JSON conventions
 * ({@link EventJson#configure}) into the records the collector and feedback-service read, strictly: a field the
 * SDK misnames fails the decoding, a field of the contract it cannot set leaves a component empty, and a value it
 * encodes wrongly differs from the expected one. Another SDK is one more entry in {@link #sdks()}: today Python's
 * ({@code sdk/python/tests/contract/wire_samples.py}) and TypeScript's
 * ({@code sdk/typescript/test/contract/wire-samples.mjs}, which needs Node.js 18+ and the built package).
 */
class SdkWireContractTest {
    /** The services' mapper, but strict: the services tolerate unknown fields, this test must not. */
    private static final ObjectMapper SERVICE_MAPPER =
            EventJson.configure(JsonMapper.builder().build()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static final long SAMPLE_TIMEOUT_SECONDS = 60;
    private static final Map<String, JsonNode> OUTPUTS = new ConcurrentHashMap<>();

    /** One SDK's sample: the command that prints its wire document, run from the repository's root. */
    record SdkSamples(String name, List<String> command, Map<String, String> environment) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<SdkSamples> sdks() {
        String python = Files.isExecutable(Paths.get("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        return Stream.of(
                new SdkSamples(
                        "python",
                        List.of(python, "sdk/python/tests/contract/wire_samples.py"),
                        Map.of("PYTHONPATH", "sdk/python/src")),
                // runs the built package (sdk/typescript/dist, which bin/loupe test builds first); without it the
                // script exits saying how to build it
                new SdkSamples(
                        "typescript", List.of("node", "sdk/typescript/test/contract/wire-samples.mjs"), Map.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sdks")
    void aFullSpanDecodesIntoEveryComponentOfTheCollectorsSpanInput(SdkSamples sdk) throws IOException {
        JsonNode samples = samples(sdk);
        SpanInput span = decode(samples.get("span"), SpanInput.class);
        SpanInput expected = decode(samples.get("expected").get("span"), SpanInput.class);

        assertEveryComponentSet(span);
        assertThat(span.traceId()).matches("[0-9a-f]{32}");
        assertThat(span.spanId()).matches("[0-9a-f]{16}");
        assertThat(span.parentSpanId()).matches("[0-9a-f]{16}").isNotEqualTo(span.spanId());
        assertThat(span.endTime()).isAfterOrEqualTo(span.startTime());
        assertThat(span.latencyMs()).isNotNegative();
        assertThat(span.timeToFirstTokenMs()).isNotNegative().isLessThanOrEqualTo(span.latencyMs());
        assertThat(span.kind()).isEqualTo(SpanKind.TOOL);
        assertThat(span.status()).isEqualTo(Outcome.ERROR);
        assertThat(span.cacheWriteInputTokens()).isEqualTo(200L);
        assertThat(span.costUsd()).isEqualByComparingTo("0.0042");
        assertThat(SERVICE_MAPPER.readTree(span.toolArguments()))
                .as("toolArguments as JSON")
                .isEqualTo(SERVICE_MAPPER.readTree(expected.toolArguments()));
        assertThat(span)
                .usingRecursiveComparison()
                .withEqualsForType(JsonNode::equals, JsonNode.class)
                .ignoringFields(
                        "traceId",
                        "spanId",
                        "parentSpanId",
                        "startTime",
                        "endTime",
                        "latencyMs",
                        "timeToFirstTokenMs",
                        "toolArguments")
                .isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sdks")
    void aFullDecisionDecodesIntoEveryComponentOfTheCollectorsDecisionInput(SdkSamples sdk) throws IOException {
        JsonNode samples = samples(sdk);
        DecisionInput decision = decode(samples.get("decision"), DecisionInput.class);
        DecisionInput expected = decode(samples.get("expected").get("decision"), DecisionInput.class);

        assertEveryComponentSet(decision);
        assertThat(decision.traceId())
                .as("a decision logged inside a trace joins it")
                .isEqualTo(samples.get("span").get("traceId").asText());
        assertThat(decision.status()).isEqualTo(Outcome.ERROR);
        assertThat(decision.occurredAt()).isEqualTo(java.time.Instant.parse("2026-11-27T10:00:01.250Z"));
        assertThat(decision.retrievalResults())
                .containsExactly(
                        new DecisionInput.Retrieved("doc-1", 0.9, "Orders ship in 2 days", null),
                        new DecisionInput.Retrieved("doc-2", 0.5, null, "ab12"));
        assertThat(decision)
                .usingRecursiveComparison()
                .withEqualsForType(JsonNode::equals, JsonNode.class)
                .ignoringFields("traceId")
                .isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sdks")
    void feedbackDecodesIntoFeedbackServicesInputWithTheKeyAsAHeader(SdkSamples sdk) throws IOException {
        JsonNode samples = samples(sdk);
        FeedbackInput feedback = decode(samples.get("feedback"), FeedbackInput.class);
        FeedbackInput expected = decode(samples.get("expected").get("feedback"), FeedbackInput.class);
        String header = samples.path("feedbackHeaders").path("Idempotency-Key").asText(null);

        // the key travels as the Idempotency-Key header, which feedback-service puts into the input
        assertThat(samples.get("feedback").has("idempotencyKey")).isFalse();
        assertThat(header).as("the Idempotency-Key header").isEqualTo(expected.idempotencyKey());
        assertEveryComponentSet(feedback.withIdempotencyKey(header));
        // feedback-service reads the signal in any case (FeedbackSignal.parse; its README lists them in lower
        // case): an SDK may send it as the app spelled it
        assertThat(FeedbackSignal.parse(feedback.signal())).isEqualTo(FeedbackSignal.parse(expected.signal()));
        assertThat(feedback.withIdempotencyKey(header))
                .usingRecursiveComparison()
                .ignoringFields("signal")
                .isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sdks")
    void everyFeedbackSignalOfTheSdkIsOneTheServiceAccepts(SdkSamples sdk) throws IOException {
        List<FeedbackSignal> sent = new ArrayList<>();
        samples(sdk).get("feedbackSignals").forEach(s -> sent.add(FeedbackSignal.parse(s.asText())));
        assertThat(sent).containsExactlyInAnyOrder(FeedbackSignal.values());
    }

    /** The SDK's sample document, run once per SDK for all the tests. */
    private static JsonNode samples(SdkSamples sdk) {
        return OUTPUTS.computeIfAbsent(sdk.name(), name -> run(sdk));
    }

    private static JsonNode run(SdkSamples sdk) {
        Path root = repositoryRoot();
        ProcessBuilder builder = new ProcessBuilder(sdk.command()).directory(root.toFile());
        builder.environment().putAll(sdk.environment());
        try {
            Path stderr = Files.createTempFile("sdk-wire-" + sdk.name(), ".err");
            builder.redirectError(stderr.toFile());
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new AssertionError(
                        "cannot run " + sdk.command() + " for the " + sdk.name()
                                + " SDK's wire samples (is it installed?): " + e.getMessage(),
                        e);
            }
            byte[] stdout = process.getInputStream().readAllBytes();
            if (!process.waitFor(SAMPLE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(sdk.command() + " did not finish within " + SAMPLE_TIMEOUT_SECONDS + " s");
            }
            String errors = Files.readString(stderr);
            Files.delete(stderr);
            if (process.exitValue() != 0) {
                throw new AssertionError(sdk.command() + " exited " + process.exitValue() + ":\n" + errors
                        + "\nstdout: " + new String(stdout, StandardCharsets.UTF_8));
            }
            return SERVICE_MAPPER.readTree(stdout);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The directory holding {@code sdk/}: surefire runs in {@code contracts/}, an IDE may run elsewhere. */
    static Path repositoryRoot() {
        Path dir = Paths.get("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("sdk")) && Files.isRegularFile(d.resolve("mvnw"))) {
                return d;
            }
        }
        throw new AssertionError("no directory above " + dir + " holds sdk/ and mvnw");
    }

    private static <T> T decode(JsonNode json, Class<T> type) throws IOException {
        Objects.requireNonNull(json, () -> "the samples lack a part for " + type.getSimpleName());
        return SERVICE_MAPPER.readValue(SERVICE_MAPPER.writeValueAsBytes(json), type);
    }

    private static void assertEveryComponentSet(Record input) {
        List<String> unset = new ArrayList<>();
        for (RecordComponent component : input.getClass().getRecordComponents()) {
            Object value;
            try {
                value = component.getAccessor().invoke(input);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (value == null
                    || value instanceof Map<?, ?> map && map.isEmpty()
                    || value instanceof List<?> list && list.isEmpty()) {
                unset.add(component.getName());
            }
        }
        assertThat(unset)
                .as(
                        "components of %s the SDK did not write (of %s)",
                        input.getClass().getSimpleName(),
                        Arrays.stream(input.getClass().getRecordComponents())
                                .map(RecordComponent::getName)
                                .toList())
                .isEmpty();
    }
}
