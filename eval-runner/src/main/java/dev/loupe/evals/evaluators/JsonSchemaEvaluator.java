package dev.loupe.evals.evaluators;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.regex.RegularExpression;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** {@code json_schema}: the structured output validates against a JSON Schema (draft 2020-12) from the config. */
public final class JsonSchemaEvaluator extends DescribedEvaluator {
    private static final JsonNode CONFIG_SCHEMA = Config.schema("""
            {
              "type": "object",
              "properties": {
                "schema": {
                  "type": "object",
                  "description": "the JSON Schema (draft 2020-12) the output must satisfy; remote $refs are not fetched"
                }
              },
              "required": ["schema"],
              "additionalProperties": false
            }
            """);

    public JsonSchemaEvaluator() {
        super(
                "json_schema",
                "The structured output validates against the configured JSON Schema (draft 2020-12).",
                CONFIG_SCHEMA);
    }

    private static final Verdict VALID = Verdict.pass("the output satisfies the schema");
    private static final int MESSAGES_SHOWN = 3;

    /** Built on first compile, so services that never use this evaluator do not load the meta-schema. */
    private static final class Registry {
        /**
         * Only the bundled json-schema.org meta-schemas may load: a feature's schema must never make
         * the runner fetch a URL ({@code $ref: http://169.254.169.254/…}) or read a file or classpath entry.
         */
        static final SchemaRegistry INSTANCE = SchemaRegistry.withDefaultDialect(
                SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemaLoader(
                                loader -> loader.allow(iri -> iri.toString().startsWith("https://json-schema.org/")))
                        .schemaRegistryConfig(SchemaRegistryConfig.builder()
                                .regularExpressionFactory(JsonSchemaEvaluator::boundedRegex)
                                .build()));

        static final Schema META_SCHEMA =
                INSTANCE.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
    }

    /** A schema's {@code pattern} that ran out of time; the decision is then not judged, as in regex_match. */
    private static final class PatternTimedOut extends RuntimeException {
        private PatternTimedOut() {
            super("schema pattern ran out of time", null, false, false);
        }
    }

    private static final PatternTimedOut TIMED_OUT = new PatternTimedOut();

    @Override
    public Check compile(JsonNode config) {
        JsonNode schemaNode = Config.read(config, "schema").requiredObject("schema");
        List<Error> metaErrors = Registry.META_SCHEMA.validate(schemaNode);
        if (!metaErrors.isEmpty()) {
            throw new InvalidConfigException("schema", "not a valid JSON Schema: " + describe(metaErrors));
        }
        Schema schema;
        try {
            schema = Registry.INSTANCE.getSchema(schemaNode);
            // references resolve lazily by default; resolving now refuses a bad $ref here, not on a decision
            schema.initializeValidators();
        } catch (SchemaException e) {
            String detail = e.getCause() instanceof PatternSyntaxException p
                    ? "invalid pattern: " + p.getDescription() + " near index " + p.getIndex()
                    : Decisions.firstLine(e.getMessage());
            throw new InvalidConfigException("schema", detail);
        } catch (RuntimeException e) {
            // whatever else the library trips over in a user's schema is still the config's fault
            throw new InvalidConfigException("schema", Decisions.firstLine(String.valueOf(e.getMessage())));
        }
        return (decision, reference) -> {
            JsonNode instance = Decisions.parsed(decision);
            if (instance == null) {
                String output = decision.output();
                if (Decisions.blank(output)) {
                    return Decisions.noOutput(decision);
                }
                try {
                    instance = Decisions.parseJson(output);
                } catch (JsonProcessingException e) {
                    return Verdict.fail("the output is not JSON: " + Decisions.describe(e));
                }
            }
            try {
                List<Error> errors = schema.validate(instance);
                return errors.isEmpty() ? VALID : Verdict.fail(describe(errors));
            } catch (PatternTimedOut e) {
                return Verdict.PATTERN_TIMED_OUT;
            }
        };
    }

    /** "2 schema violations: /age: string found, integer expected; (root): required property 'name' not found". */
    private static String describe(List<Error> errors) {
        StringBuilder out = new StringBuilder()
                .append(errors.size())
                .append(errors.size() == 1 ? " schema violation: " : " schema violations: ");
        for (int i = 0; i < Math.min(MESSAGES_SHOWN, errors.size()); i++) {
            Error error = errors.get(i);
            String location = error.getInstanceLocation() == null
                    ? ""
                    : error.getInstanceLocation().toString();
            out.append(i == 0 ? "" : "; ")
                    .append(location.isEmpty() ? "(root)" : location)
                    .append(": ")
                    .append(Decisions.truncate(error.getMessage(), 200));
        }
        if (errors.size() > MESSAGES_SHOWN) {
            out.append("; …");
        }
        return out.toString();
    }

    /** The schema's {@code pattern} keywords get the same time budget as the regex evaluators. */
    private static RegularExpression boundedRegex(String source) {
        Pattern pattern = Pattern.compile(source);
        return value -> {
            Boolean found = BoundedRegex.run(pattern, value, Matcher::find);
            if (found == null) {
                throw TIMED_OUT;
            }
            return found;
        };
    }
}
