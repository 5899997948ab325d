package dev.loupe.evals.evaluators;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code reference_match}: how close the output is to a reference answer (a user's correction, a regression
 * case's expected output), as the token-level F1 of the two texts after normalizing case, punctuation and
 * whitespace — the SQuAD answer-overlap measure. 1.0 is the same words, 0.0 none in common. The reference
 * comes with the evaluation; without one the evaluator does not apply.
 */
public final class ReferenceMatchEvaluator extends DescribedEvaluator {
    public static final String NAME = "reference_match";
    public static final double DEFAULT_THRESHOLD = 0.8;
    private static final Verdict NO_REFERENCE =
            Verdict.notApplicable("no reference answer: reference_match runs only on corrections and regression cases");
    private static final JsonNode CONFIG_SCHEMA = Config.schema("""
            {
              "type": "object",
              "properties": {},
              "additionalProperties": false
            }
            """);

    public ReferenceMatchEvaluator() {
        super(
                NAME,
                "1",
                "Token-level F1 overlap between the output and the reference answer (a correction or a "
                        + "regression case's expected output), after normalizing case, punctuation and whitespace.",
                CONFIG_SCHEMA,
                DEFAULT_THRESHOLD);
    }

    @Override
    public Check compile(JsonNode config) {
        Config.read(config);
        return (decision, reference) -> {
            if (reference == null) {
                return NO_REFERENCE;
            }
            String text = Decisions.text(decision);
            if (text == null) {
                return Decisions.noOutput(decision);
            }
            return score(text, reference);
        };
    }

    static Verdict score(String output, String reference) {
        String[] actual = tokens(output);
        String[] expected = tokens(reference);
        if (actual.length == 0 || expected.length == 0) {
            boolean both = actual.length == expected.length;
            return both
                    ? Verdict.pass("both texts are empty after normalization")
                    : Verdict.fail("one of output and reference is empty after normalization");
        }
        Map<String, Integer> counts = new HashMap<>();
        for (String token : expected) {
            counts.merge(token, 1, Integer::sum);
        }
        int common = 0;
        for (String token : actual) {
            Integer left = counts.get(token);
            if (left != null && left > 0) {
                counts.put(token, left - 1);
                common++;
            }
        }
        if (common == 0) {
            return new Verdict(0, "no word of the reference appears in the output");
        }
        double precision = (double) common / actual.length;
        double recall = (double) common / expected.length;
        double f1 = 2 * precision * recall / (precision + recall);
        return new Verdict(
                Math.min(1.0, f1),
                String.format(
                        java.util.Locale.ROOT,
                        "%d of the output's %d words and %d of the reference's %d words overlap (F1 %.3f)",
                        common,
                        actual.length,
                        common,
                        expected.length,
                        f1));
    }

    private static String[] tokens(String text) {
        String normalized = MatchEvaluator.normalize(text);
        return normalized.isEmpty() ? new String[0] : normalized.split(" ");
    }
}
