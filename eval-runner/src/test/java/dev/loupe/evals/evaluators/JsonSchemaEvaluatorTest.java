package dev.loupe.evals.evaluators;

import static dev.loupe.evals.evaluators.DecisionBuilder.answer;
import static dev.loupe.evals.evaluators.DecisionBuilder.decision;
import static dev.loupe.evals.evaluators.DecisionBuilder.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.loupe.contracts.events.Outcome;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JsonSchemaEvaluatorTest {
    private static final String SCHEMA =
            "{'schema': {'type': 'object', 'required': ['answer', 'confidence'], 'properties': {"
                    + "'answer': {'type': 'string'}, 'confidence': {'type': 'number', 'minimum': 0, 'maximum': 1}}}}";

    private final JsonSchemaEvaluator evaluator = new JsonSchemaEvaluator();
    private final Check check = evaluator.compile(json(SCHEMA));

    @Test
    void parsedOutputThatFitsPasses() {
        Verdict verdict = check.score(
                decision()
                        .parsedOutput(json("{'answer': 'five days', 'confidence': 0.9}"))
                        .build(),
                null);
        assertThat(verdict.score()).isEqualTo(1.0);
    }

    @Test
    void violationsAreCountedWithTheirLocations() {
        Verdict verdict = check.score(
                decision().parsedOutput(json("{'answer': 3, 'confidence': 7}")).build(), null);
        assertThat(verdict.score()).isZero();
        assertThat(verdict.reason())
                .startsWith("2 schema violations: ")
                .contains("/answer: ")
                .contains("/confidence: ");
    }

    @Test
    void onlyTheFirstThreeMessagesAreShown() {
        Check strict = evaluator.compile(json("{'schema': {'type': 'object', 'properties': {"
                + "'a': {'type': 'string'}, 'b': {'type': 'string'}, 'c': {'type': 'string'}, 'd': {'type': 'string'}, "
                + "'e': {'type': 'string'}}}}"));
        Verdict verdict = strict.score(
                decision()
                        .parsedOutput(json("{'a': 1, 'b': 2, 'c': 3, 'd': 4, 'e': 5}"))
                        .build(),
                null);
        assertThat(verdict.reason()).startsWith("5 schema violations: ").endsWith("; …");
        assertThat(verdict.reason().split("; ")).hasSize(4);
    }

    @Test
    void missingRequiredPropertyIsReportedAtTheRoot() {
        Verdict verdict =
                check.score(decision().parsedOutput(json("{'answer': 'x'}")).build(), null);
        assertThat(verdict.reason()).isEqualTo("1 schema violation: (root): required property 'confidence' not found");
    }

    @Test
    void theOutputIsParsedWhenTheCollectorDidNot() {
        assertThat(check.score(answer("{\"answer\": \"five days\", \"confidence\": 0.5}"), null)
                        .score())
                .isEqualTo(1.0);

        Verdict prose = check.score(answer("Five days."), null);
        assertThat(prose.score()).isZero();
        assertThat(prose.reason()).startsWith("the output is not JSON: ");
    }

    @Test
    void noOutputFails() {
        Verdict verdict = check.score(
                decision().output(" ").failed(Outcome.TRUNCATED, null).build(), null);
        assertThat(verdict.score()).isZero();
        assertThat(verdict.reason()).isEqualTo("the decision has no output (status TRUNCATED)");
    }

    @Test
    void localReferencesResolve() {
        Check withDefs =
                evaluator.compile(json("{'schema': {'$defs': {'id': {'type': 'string', 'pattern': '^d[0-9]+$'}}, "
                        + "'type': 'object', 'properties': {'doc': {'$ref': '#/$defs/id'}}}}"));
        assertThat(withDefs.score(
                                decision().parsedOutput(json("{'doc': 'd12'}")).build(), null)
                        .score())
                .isEqualTo(1.0);
        assertThat(withDefs.score(decision().parsedOutput(json("{'doc': 'x'}")).build(), null)
                        .reason())
                .contains("/doc");
    }

    @Test
    void schemaThatBreaksTheMetaSchemaIsRefused() {
        assertThatThrownBy(() -> evaluator.compile(json("{'schema': {'type': 5}}")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("schema");
                    assertThat(e.getMessage())
                            .startsWith("not a valid JSON Schema: ")
                            .contains("/type");
                });
        assertThatThrownBy(() -> evaluator.compile(json("{'schema': {'properties': {'a': {'pattern': '(unclosed'}}}}")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("schema");
                    assertThat(e.getMessage()).startsWith("invalid pattern: Unclosed group");
                });
        assertThatThrownBy(() -> evaluator.compile(json("{'schema': {'$ref': '#/$defs/missing'}}")))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("schema"));
    }

    @Test
    void schemaMustBeAnObjectAndIsRequired() {
        assertThatThrownBy(() -> evaluator.compile(json("{'schema': true}")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("schema");
                    assertThat(e.getMessage()).isEqualTo("must be a JSON object");
                });
        assertThatThrownBy(() -> evaluator.compile(json("{}")))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class,
                        e -> assertThat(e.getMessage()).isEqualTo("required"));
    }

    @Test
    void remoteReferencesAreRefusedWithoutBeingFetched() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger requests = new AtomicInteger();
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = "{\"type\": \"string\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String local = "http://127.0.0.1:" + server.getAddress().getPort();
            String[] schemas = {
                "{'$ref': 'http://169.254.169.254/x'}",
                "{'$ref': '" + local + "/schema.json'}",
                "{'properties': {'a': {'$ref': 'https://example.com/s.json'}}}",
                "{'$ref': 'file:///etc/passwd'}",
                "{'$ref': 'classpath:draft/2020-12/meta/core'}",
                // a relative reference resolved against the schema's own $id
                "{'$id': '" + local + "/base.json', 'properties': {'a': {'$ref': 'other.json'}}}",
                "{'$schema': '" + local + "/dialect.json'}",
            };
            for (String schema : schemas) {
                assertThatThrownBy(() -> evaluator.compile(json("{'schema': " + schema + "}")))
                        .as(schema)
                        .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                            assertThat(e.field()).isEqualTo("schema");
                            assertThat(e.getMessage()).contains("not allowed to be loaded");
                        });
            }
            assertThat(requests).hasValue(0);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aSchemaPatternThatBacktracksLeavesTheDecisionUnjudged() {
        Check backtracking =
                evaluator.compile(json("{'schema': {'properties': {'a': {'type': 'string', 'pattern': '(a+)+$'}}}}"));
        ObjectNode output = JsonNodeFactory.instance.objectNode().put("a", "a".repeat(30_000) + "b");
        Verdict verdict = assertTimeoutPreemptively(
                Duration.ofSeconds(1),
                () -> backtracking.score(decision().parsedOutput(output).build(), null));
        assertThat(verdict).matches(v -> !v.applicable(), "not applicable");
    }
}
