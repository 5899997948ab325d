package dev.loupe.evals.evaluators;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/** {@code json_valid}: the answer is JSON, judged where the decision expected structured output (or always). */
public final class JsonValidEvaluator extends DescribedEvaluator {
    private static final JsonNode CONFIG_SCHEMA = Config.schema("""
            {
              "type": "object",
              "properties": {
                "always": {
                  "type": "boolean",
                  "default": false,
                  "description": "also parse the output of decisions that did not expect structured output"
                }
              },
              "additionalProperties": false
            }
            """);

    public JsonValidEvaluator() {
        super(
                "json_valid",
                "The output is valid JSON; by default judged only on decisions that expected structured output.",
                CONFIG_SCHEMA);
    }

    private static final Verdict PARSED = Verdict.pass("the collector parsed the output as JSON");
    private static final Verdict VALID = Verdict.pass("the output is valid JSON");
    private static final Verdict NOT_STRUCTURED = Verdict.notApplicable(
            "the decision did not declare structured output (no parsedOutput or parseError); set \"always\": true"
                    + " to parse every output");

    @Override
    public Check compile(JsonNode config) {
        boolean always = Config.read(config, "always").bool("always", false);
        return (decision, reference) -> {
            if (Decisions.parsed(decision) != null) {
                return PARSED;
            }
            if (decision.parseError() != null) {
                return Verdict.fail("the output is not valid JSON: " + Decisions.firstLine(decision.parseError()));
            }
            // parsedOutput and parseError are both unset only when the app expected free text
            if (!always) {
                return NOT_STRUCTURED;
            }
            String output = decision.output();
            if (Decisions.blank(output)) {
                return Decisions.noOutput(decision);
            }
            try {
                Decisions.parseJson(output);
                return VALID;
            } catch (JsonProcessingException e) {
                return Verdict.fail("the output is not valid JSON: " + Decisions.describe(e));
            }
        };
    }
}
