package dev.loupe.evals.evaluators;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code length_between}: the output's length, in Unicode characters or words, lies within configured bounds. */
public final class LengthBetweenEvaluator extends DescribedEvaluator {
    private static final JsonNode CONFIG_SCHEMA = Config.schema("""
            {
              "type": "object",
              "properties": {
                "min": {"type": "integer", "minimum": 0, "description": "inclusive; at least one of min and max"},
                "max": {"type": "integer", "minimum": 0, "description": "inclusive"},
                "unit": {"enum": ["chars", "words"], "default": "chars", "description": "chars are Unicode code points"}
              },
              "anyOf": [{"required": ["min"]}, {"required": ["max"]}],
              "additionalProperties": false
            }
            """);

    public LengthBetweenEvaluator() {
        super(
                "length_between",
                "The output's length in characters or words lies between min and max (inclusive).",
                CONFIG_SCHEMA);
    }

    @Override
    public Check compile(JsonNode config) {
        Config read = Config.read(config, "min", "max", "unit");
        Integer minOrNull = read.integer("min", 0);
        Integer maxOrNull = read.integer("max", 0);
        if (minOrNull == null && maxOrNull == null) {
            throw new InvalidConfigException("min", "give min, max or both");
        }
        if (minOrNull != null && maxOrNull != null && minOrNull > maxOrNull) {
            throw new InvalidConfigException("min", "must not exceed max (" + maxOrNull + ")");
        }
        String unit = read.string("unit", "chars");
        if (!unit.equals("chars") && !unit.equals("words")) {
            throw new InvalidConfigException("unit", "must be \"chars\" or \"words\"");
        }
        boolean words = unit.equals("words");
        int min = minOrNull == null ? 0 : minOrNull;
        int max = maxOrNull == null ? Integer.MAX_VALUE : maxOrNull;
        String allowed = " (allowed: "
                + (maxOrNull == null ? "at least " + min : minOrNull == null ? "at most " + max : min + " to " + max)
                + ")";
        return (decision, reference) -> {
            String text = Decisions.text(decision);
            if (text == null) {
                return Decisions.noOutput(decision);
            }
            int length = words ? words(text) : text.codePointCount(0, text.length());
            String measured = length + " " + unit;
            if (length < min) {
                return Verdict.fail(measured + ", below the minimum of " + min);
            }
            return length > max
                    ? Verdict.fail(measured + ", above the maximum of " + max)
                    : Verdict.pass(measured + allowed);
        };
    }

    /** Runs of non-whitespace, counted without splitting the text into an array. */
    static int words(String text) {
        int count = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            boolean space = Character.isWhitespace(cp) || Character.isSpaceChar(cp);
            if (!space && !inWord) {
                count++;
            }
            inWord = !space;
            i += Character.charCount(cp);
        }
        return count;
    }
}
