package dev.loupe.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.common.crypto.IdentifierHasher;
import dev.loupe.common.http.BatchReader;
import dev.loupe.common.http.ProblemException;
import dev.loupe.common.pii.RedactionConfig;
import dev.loupe.common.pii.RedactionCounts;
import dev.loupe.common.pii.Redactor;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.contracts.wire.FeedbackInput;
import dev.loupe.testing.AllocationBudget;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Fuzzes the bodies of {@code POST /v1/feedback} and {@code POST /v1/feedback/batch} up to the database: Jackson
 * reads them with the service's conventions, {@link FeedbackValidator} (through {@link BatchReader} for a batch)
 * judges them, and what passes is redacted, hashed and fingerprinted as {@link FeedbackIntake} does before it
 * stores. The only ways out are success, a {@link JsonProcessingException} (the problem mapper's 400) and a 4xx
 * {@link ProblemException}; anything else, or an allocation past {@link AllocationBudget}, is a finding.
 */
class FeedbackFuzzTest {
    static final int MAX_TEXT = 10_000;
    static final int MAX_BATCH = 1000;
    static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

    private static final ObjectMapper MAPPER = EventJson.mapper();
    private static final RedactionConfig REDACTION = new RedactionConfig() {
        public int maxTextLength() {
            return 32_000;
        }

        public boolean emails() {
            return true;
        }

        public boolean phones() {
            return true;
        }

        public boolean cards() {
            return true;
        }

        public boolean ibans() {
            return true;
        }

        public Map<String, String> patterns() {
            return Map.of();
        }

        public Optional<String> canary() {
            return Optional.empty();
        }
    };
    private static final Redactor REDACTOR = new Redactor(REDACTION);
    private static final IdentifierHasher HASHER = new IdentifierHasher(() -> Optional.of("fuzz-identifier-secret"));
    private static final FeedbackIntake INTAKE =
            new FeedbackIntake(null, REDACTOR, HASHER, null, new SimpleMeterRegistry());

    static {
        // class loading and regex compilation are one-off costs, not an input's
        submit(seed("single/valid"));
        submitBatch(seed("batch/valid"));
    }

    @FuzzTest
    void single(byte[] body) {
        AllocationBudget.run(body.length, () -> submit(body));
    }

    @FuzzTest
    void batch(byte[] body) {
        AllocationBudget.run(body.length, () -> submitBatch(body));
    }

    static void submit(byte[] body) {
        FeedbackInput input;
        try {
            input = body.length == 0 ? null : MAPPER.readValue(body, FeedbackInput.class);
        } catch (JsonProcessingException | CharConversionException e) {
            return; // ProblemMapper: 400 naming the body or the field
        } catch (IOException e) {
            throw new UncheckedIOException("not a JsonProcessingException, so not mapped to a 400", e);
        }
        if (input == null) {
            return; // FeedbackResource: 400 naming body
        }
        if (FeedbackValidator.firstProblem(input, MAX_TEXT, NOW).isEmpty()) {
            prepare(input);
        }
    }

    static void submitBatch(byte[] body) {
        JsonNode tree;
        try {
            tree = body.length == 0 ? null : MAPPER.readTree(body);
        } catch (JsonProcessingException | CharConversionException e) {
            return; // ProblemMapper: 400 naming body
        } catch (IOException e) {
            throw new UncheckedIOException("not a JsonProcessingException, so not mapped to a 400", e);
        }
        try {
            BatchReader.Batch<FeedbackInput> batch = BatchReader.read(
                    MAPPER,
                    tree,
                    "feedback",
                    MAX_BATCH,
                    FeedbackInput.class,
                    input -> FeedbackValidator.firstProblem(input, MAX_TEXT, NOW));
            batch.items().forEach(item -> prepare(item.value()));
            EventJson.encodeBytes(batch.rejected());
        } catch (ProblemException e) {
            assertThat(e.status()).as(e.getMessage()).isBetween(400, 499);
        }
    }

    /** What {@code FeedbackIntake.prepare} computes from a valid input before the insert. */
    private static void prepare(FeedbackInput input) {
        RedactionCounts counts = new RedactionCounts();
        REDACTOR.redact(input.correction(), counts);
        REDACTOR.redact(input.feedbackText(), counts);
        HASHER.hash("p-fuzz", input.userId());
        INTAKE.fingerprint("p-fuzz", input);
    }

    static byte[] seed(String name) {
        try (InputStream in = FeedbackFuzzTest.class.getResourceAsStream("FeedbackFuzzTestInputs/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
