package dev.loupe.evals.evaluators;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** {@code regex_match} / {@code regex_absent}: the output does / does not contain a match of a configured regex. */
public final class RegexEvaluator extends DescribedEvaluator {
    private static final JsonNode CONFIG_SCHEMA = Config.schema("""
            {
              "type": "object",
              "properties": {
                "pattern": {"type": "string", "minLength": 1, "description": "a Java regular expression; (?i) and other inline flags work"},
                "flags": {"type": "string", "pattern": "^[imsx]*$", "default": "", "description": "i: ignore case, m: multiline, s: dot matches newlines, x: comments"}
              },
              "required": ["pattern"],
              "additionalProperties": false
            }
            """);

    private final boolean absent;

    private RegexEvaluator(boolean absent) {
        super(
                absent ? "regex_absent" : "regex_match",
                absent
                        ? "The output contains no match of the configured regular expression."
                        : "The output contains a match of the configured regular expression.",
                CONFIG_SCHEMA);
        this.absent = absent;
    }

    public static RegexEvaluator match() {
        return new RegexEvaluator(false);
    }

    public static RegexEvaluator absent() {
        return new RegexEvaluator(true);
    }

    @Override
    public Check compile(JsonNode config) {
        Config read = Config.read(config, "pattern", "flags");
        Pattern pattern = compile(read.requiredString("pattern"), flags(read.string("flags", "")));
        Verdict noMatch = absent
                ? Verdict.pass("the pattern does not occur in the output")
                : Verdict.fail("the output does not match the pattern");
        return (decision, reference) -> {
            String text = Decisions.text(decision);
            if (text == null) {
                return absent ? Decisions.NO_TEXT_TO_SEARCH : Decisions.noOutput(decision);
            }
            // null from run(): the budget ran out, so this decision is not judged rather than judged wrongly
            Verdict verdict = BoundedRegex.run(pattern, text, m -> {
                if (!m.find()) {
                    return noMatch;
                }
                String found = Decisions.quote(text, m.start(), m.end());
                return absent
                        ? Verdict.fail("the output contains " + found)
                        : Verdict.pass("the output matches: " + found);
            });
            return verdict != null ? verdict : Verdict.PATTERN_TIMED_OUT;
        };
    }

    static Pattern compile(String source, int flags) {
        try {
            return Pattern.compile(source, flags);
        } catch (PatternSyntaxException e) {
            throw new InvalidConfigException("pattern", describe(e));
        }
    }

    /** PatternSyntaxException's message spans three lines (with a caret); one is enough for an API error. */
    static String describe(PatternSyntaxException e) {
        return e.getIndex() >= 0 ? e.getDescription() + " near index " + e.getIndex() : e.getDescription();
    }

    private static int flags(String letters) {
        int flags = 0;
        for (int i = 0; i < letters.length(); i++) {
            flags |= switch (letters.charAt(i)) {
                case 'i' -> Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
                case 'm' -> Pattern.MULTILINE;
                case 's' -> Pattern.DOTALL;
                case 'x' -> Pattern.COMMENTS;
                default ->
                    throw new InvalidConfigException(
                            "flags", "unknown flag '" + letters.charAt(i) + "'; allowed: i, m, s, x");
            };
        }
        return flags;
    }
}
