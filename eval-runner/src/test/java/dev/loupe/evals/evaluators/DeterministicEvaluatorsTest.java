package dev.loupe.evals.evaluators;

import static dev.loupe.evals.evaluators.DecisionBuilder.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DeterministicEvaluatorsTest {
    private static final SchemaRegistry REGISTRY =
            SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    /** A config each evaluator accepts; it must satisfy the evaluator's own configSchema too. */
    private static final Map<String, String> VALID_CONFIGS = Map.ofEntries(
            Map.entry("json_valid", "{'always': true}"),
            Map.entry("json_schema", "{'schema': {'type': 'object'}}"),
            Map.entry("regex_match", "{'pattern': 'ORD-\\\\d+', 'flags': 'im'}"),
            Map.entry("regex_absent", "{'pattern': 'secret'}"),
            Map.entry("contains_all", "{'values': ['refund'], 'caseSensitive': true}"),
            Map.entry("contains_none", "{'values': ['lawsuit']}"),
            Map.entry("length_between", "{'min': 1, 'max': 10, 'unit': 'words'}"),
            Map.entry("exact_match", "{'reference': 'Paris'}"),
            Map.entry("normalized_match", "{}"),
            Map.entry("reference_match", "{}"),
            Map.entry("pii_leak", "{'kinds': ['email', 'iban']}"),
            Map.entry("refusal", "{'extraPatterns': ['je ne peux pas']}"),
            Map.entry("grounded_in_retrieval", "{'citationsField': 'sources', 'requireCitations': true}"),
            Map.entry("latency_budget", "{'maxMs': 1500}"),
            Map.entry("cost_budget", "{'maxUsd': 0.02}"));

    @Test
    void namesAreUniqueSnakeCaseAndInAStableOrder() {
        List<String> names =
                DeterministicEvaluators.all().stream().map(Evaluator::name).toList();
        assertThat(names).doesNotHaveDuplicates().allMatch(n -> n.matches("[a-z]+(_[a-z]+)*"));
        assertThat(names)
                .containsExactly(
                        "json_valid",
                        "json_schema",
                        "regex_match",
                        "regex_absent",
                        "contains_all",
                        "contains_none",
                        "length_between",
                        "exact_match",
                        "normalized_match",
                        "reference_match",
                        "pii_leak",
                        "refusal",
                        "grounded_in_retrieval",
                        "latency_budget",
                        "cost_budget");
        assertThat(DeterministicEvaluators.all()).allSatisfy(e -> {
            assertThat(e.version()).isEqualTo("1");
            assertThat(e.description()).isNotBlank();
            // a pass is the check holding, except for the overlap score, which passes from 0.8
            assertThat(e.defaultThreshold()).isEqualTo(e.name().equals("reference_match") ? 0.8 : 1.0);
            assertThat(e.deterministic()).isTrue();
        });
    }

    @Test
    void everyConfigSchemaIsAValidObjectSchema() {
        Schema metaSchema = REGISTRY.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
        for (Evaluator evaluator : DeterministicEvaluators.all()) {
            JsonNode schema = evaluator.configSchema();
            assertThat(metaSchema.validate(schema)).as(evaluator.name()).isEmpty();
            assertThat(schema.path("type").asText()).as(evaluator.name()).isEqualTo("object");
            assertThat(schema.path("additionalProperties").asBoolean(true))
                    .as(evaluator.name())
                    .isFalse();
        }
    }

    @Test
    void configsThatCompileSatisfyTheAdvertisedSchemaAndUnknownFieldsFailBoth() {
        Map<String, Evaluator> byName =
                DeterministicEvaluators.all().stream().collect(Collectors.toMap(Evaluator::name, Function.identity()));
        assertThat(VALID_CONFIGS).containsOnlyKeys(byName.keySet());
        for (Map.Entry<String, String> entry : VALID_CONFIGS.entrySet()) {
            Evaluator evaluator = byName.get(entry.getKey());
            Schema configSchema = REGISTRY.getSchema(evaluator.configSchema());
            ObjectNode config = (ObjectNode) json(entry.getValue());
            assertThat(configSchema.validate(config)).as(entry.getKey()).isEmpty();
            assertThat(evaluator.compile(config)).as(entry.getKey()).isNotNull();

            config.put("bogus", 1);
            assertThat(configSchema.validate(config)).as(entry.getKey()).isNotEmpty();
            assertThatThrownBy(() -> evaluator.compile(config))
                    .as(entry.getKey())
                    .isInstanceOfSatisfying(
                            InvalidConfigException.class,
                            e -> assertThat(e.field()).isEqualTo("bogus"));
        }
    }

    @Test
    void theAdvertisedSchemaCannotBeChangedThroughTheReturnedNode() {
        Evaluator evaluator = DeterministicEvaluators.all().get(0);
        ((ObjectNode) evaluator.configSchema()).put("type", "array");
        assertThat(evaluator.configSchema().path("type").asText()).isEqualTo("object");
    }
}
