package dev.loupe.evals.evaluators;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** {@code contains_all} / {@code contains_none}: the share of configured values the output holds (all) or lacks (none). */
public final class ContainsEvaluator extends DescribedEvaluator {
    static final int MAX_VALUES = 100;
    private static final int NAMES_SHOWN = 5;
    private static final JsonNode CONFIG_SCHEMA = Config.schema("""
            {
              "type": "object",
              "properties": {
                "values": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1, "maxItems": 100},
                "caseSensitive": {"type": "boolean", "default": false}
              },
              "required": ["values"],
              "additionalProperties": false
            }
            """);

    private final boolean none;

    private ContainsEvaluator(boolean none) {
        super(
                none ? "contains_none" : "contains_all",
                none
                        ? "The output contains none of the configured values (forbidden terms)."
                        : "The output contains every configured value (required terms).",
                CONFIG_SCHEMA);
        this.none = none;
    }

    public static ContainsEvaluator all() {
        return new ContainsEvaluator(false);
    }

    public static ContainsEvaluator none() {
        return new ContainsEvaluator(true);
    }

    @Override
    public Check compile(JsonNode config) {
        Config read = Config.read(config, "values", "caseSensitive");
        List<String> values = read.strings("values", MAX_VALUES, null);
        boolean caseSensitive = read.bool("caseSensitive", false);
        List<Predicate<String>> built = new ArrayList<>(values.size());
        for (String value : values) {
            // a literal case-insensitive pattern searches without lower-casing a copy of every output
            Pattern literal = Pattern.compile(value, Pattern.LITERAL | Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
            built.add(
                    caseSensitive
                            ? text -> text.contains(value)
                            : text -> literal.matcher(text).find());
        }
        List<Predicate<String>> finders = List.copyOf(built);
        int total = values.size();
        Verdict allBehave = Verdict.pass(
                none
                        ? "none of the " + total + " forbidden values occurs in the output"
                        : "all " + total + " required values occur in the output");
        return (decision, reference) -> {
            String text = Decisions.text(decision);
            if (text == null) {
                return none ? Decisions.NO_TEXT_TO_SEARCH : Decisions.noOutput(decision);
            }
            List<String> offending = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                if (finders.get(i).test(text) == none) {
                    offending.add(values.get(i));
                }
            }
            if (offending.isEmpty()) {
                return allBehave;
            }
            double score = (double) (total - offending.size()) / total;
            String names = Decisions.quoteAll(offending, NAMES_SHOWN);
            return new Verdict(
                    score,
                    none
                            ? "found " + offending.size() + " of " + total + " forbidden values: " + names
                            : "found " + (total - offending.size()) + " of " + total + " required values; missing "
                                    + names);
        };
    }
}
