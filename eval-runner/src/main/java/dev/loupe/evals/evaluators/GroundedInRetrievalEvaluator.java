package dev.loupe.evals.evaluators;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.RetrievalResult;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** {@code grounded_in_retrieval}: the share of the documents an answer cites that were retrieved for it. */
public final class GroundedInRetrievalEvaluator extends DescribedEvaluator {
    static final String DEFAULT_PATTERN = "\\[(?:doc:)?([^\\]\\s]+)\\]";
    private static final int IDS_SHOWN = 5;
    private static final JsonNode CONFIG_SCHEMA = Config.schema("""
            {
              "type": "object",
              "properties": {
                "citationsField": {"type": "string", "minLength": 1, "default": "citations",
                  "description": "top-level field of the parsed output holding the cited ids (strings, or objects with docId or id)"},
                "citationPattern": {"type": "string", "minLength": 1, "default": "\\\\[(?:doc:)?([^\\\\]\\\\s]+)\\\\]",
                  "description": "Java regex over the output whose group 1 is a cited id, used when the field is absent"},
                "requireCitations": {"type": "boolean", "default": false,
                  "description": "fail an answer that cites nothing, instead of not judging it"}
              },
              "additionalProperties": false
            }
            """);

    public GroundedInRetrievalEvaluator() {
        super(
                "grounded_in_retrieval",
                "Every document the answer cites was among the documents retrieved for the decision.",
                CONFIG_SCHEMA);
    }

    private static final Verdict CITES_NOTHING = Verdict.fail("the answer cites no documents");
    private static final Verdict NO_CITATIONS = Verdict.notApplicable(
            "the answer cites no documents; set \"requireCitations\": true to fail such answers instead");
    private static final Verdict NO_OUTPUT = Verdict.notApplicable(
            "the decision has no output to find citations in; set \"requireCitations\": true to fail it instead");

    @Override
    public Check compile(JsonNode config) {
        Config read = Config.read(config, "citationsField", "citationPattern", "requireCitations");
        String field = read.string("citationsField", "citations");
        if (field.isEmpty()) {
            throw new InvalidConfigException("citationsField", "must not be empty");
        }
        String source = read.string("citationPattern", DEFAULT_PATTERN);
        Pattern pattern;
        try {
            pattern = Pattern.compile(source);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new InvalidConfigException("citationPattern", RegexEvaluator.describe(e));
        }
        if (pattern.matcher("").groupCount() < 1) {
            throw new InvalidConfigException("citationPattern", "must have a capturing group for the document id");
        }
        boolean require = read.bool("requireCitations", false);
        return (decision, reference) -> {
            Set<String> cited = fromField(Decisions.parsed(decision), field);
            if (cited == null) {
                String text = decision.output();
                if (Decisions.blank(text)) {
                    return require ? Decisions.noOutput(decision) : NO_OUTPUT;
                }
                cited = BoundedRegex.run(pattern, text, m -> {
                    Set<String> ids = new LinkedHashSet<>();
                    while (m.find()) {
                        if (m.group(1) != null && !m.group(1).isBlank()) {
                            ids.add(m.group(1));
                        }
                    }
                    return ids;
                });
                if (cited == null) {
                    return Verdict.PATTERN_TIMED_OUT;
                }
            }
            if (cited.isEmpty()) {
                return require ? CITES_NOTHING : NO_CITATIONS;
            }
            return score(cited, retrieved(decision));
        };
    }

    /** The ids in {@code parsed.<field>} when it is an array, else null (then the text is searched). */
    private static Set<String> fromField(JsonNode parsed, String field) {
        JsonNode list = parsed == null ? null : parsed.get(field);
        if (list == null || !list.isArray()) {
            return null;
        }
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode item : list) {
            JsonNode id = item.isObject() ? (item.hasNonNull("docId") ? item.get("docId") : item.get("id")) : item;
            if (id != null && (id.isTextual() || id.isNumber()) && !id.asText().isBlank()) {
                ids.add(id.asText());
            }
        }
        return ids;
    }

    private static Set<String> retrieved(DecisionRecord decision) {
        List<RetrievalResult> results = decision.retrievalResults();
        Set<String> ids = new HashSet<>();
        if (results != null) {
            for (RetrievalResult result : results) {
                if (result != null && result.docId() != null) {
                    ids.add(result.docId());
                }
            }
        }
        return ids;
    }

    private static Verdict score(Set<String> cited, Set<String> retrieved) {
        Set<String> missing = new LinkedHashSet<>(cited);
        missing.removeAll(retrieved);
        if (missing.isEmpty()) {
            return Verdict.pass("all " + cited.size() + " cited documents were retrieved");
        }
        double score = (double) (cited.size() - missing.size()) / cited.size();
        String where = retrieved.isEmpty() ? "; the decision retrieved no documents" : "";
        return new Verdict(
                score,
                (cited.size() - missing.size()) + " of " + cited.size()
                        + " cited documents were retrieved; not retrieved: " + Decisions.quoteAll(missing, IDS_SHOWN)
                        + where);
    }
}
