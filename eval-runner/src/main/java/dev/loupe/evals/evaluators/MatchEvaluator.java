package dev.loupe.evals.evaluators;

import com.fasterxml.jackson.databind.JsonNode;
import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/** {@code exact_match} / {@code normalized_match}: the output equals the evaluation's reference, else the config's. */
public final class MatchEvaluator extends DescribedEvaluator {
    private static final Pattern PUNCTUATION = Pattern.compile("\\p{P}+");
    private static final Pattern WHITESPACE = Pattern.compile("[\\s\\p{Z}]+");
    private static final JsonNode CONFIG_SCHEMA = Config.schema("""
            {
              "type": "object",
              "properties": {
                "reference": {"type": "string", "description": "the expected output when the evaluation brings none"}
              },
              "additionalProperties": false
            }
            """);

    private static final Verdict NO_REFERENCE = Verdict.notApplicable(
            "no expected answer: set \"reference\" in the config, or it runs only on corrections and regression cases");

    private final boolean normalized;

    private MatchEvaluator(boolean normalized) {
        super(
                normalized ? "normalized_match" : "exact_match",
                normalized
                        ? "The output equals the reference after normalizing case, punctuation and whitespace."
                        : "The output equals the reference exactly.",
                CONFIG_SCHEMA);
        this.normalized = normalized;
    }

    public static MatchEvaluator exact() {
        return new MatchEvaluator(false);
    }

    public static MatchEvaluator normalized() {
        return new MatchEvaluator(true);
    }

    @Override
    public Check compile(JsonNode config) {
        String configured = Config.read(config, "reference").string("reference", null);
        String configuredForm = configured == null ? null : form(configured);
        String how = normalized ? " after normalization" : "";
        Verdict equal = Verdict.pass("the output equals the reference" + how);
        return (decision, reference) -> {
            String expected = reference != null ? form(reference) : configuredForm;
            if (expected == null) {
                return NO_REFERENCE;
            }
            String text = Decisions.text(decision);
            if (text == null) {
                return Decisions.noOutput(decision);
            }
            String actual = form(text);
            if (actual.equals(expected)) {
                return equal;
            }
            return Verdict.fail(
                    "the output differs from the reference" + how + " at character " + firstDifference(actual, expected)
                            + " (lengths " + actual.length() + " and " + expected.length() + ")");
        };
    }

    private String form(String text) {
        return normalized ? normalize(text) : text;
    }

    static String normalize(String text) {
        String folded = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        String bare = PUNCTUATION.matcher(folded).replaceAll("");
        return WHITESPACE.matcher(bare).replaceAll(" ").trim();
    }

    private static int firstDifference(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            if (a.charAt(i) != b.charAt(i)) {
                return i;
            }
        }
        return n;
    }
}
