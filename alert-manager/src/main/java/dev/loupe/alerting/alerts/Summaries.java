package dev.loupe.alerting.alerts;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a rule's summary template: {@code {{value}}}, {@code {{threshold}}}, {@code {{baseline}}} and any
 * label ({@code {{feature}}}). Unknown names stay as written, so a typo shows instead of vanishing. The
 * output is plain text; receivers escape it for their own format.
 */
public final class Summaries {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");

    private Summaries() {}

    public static String render(
            String template, Map<String, String> labels, Double value, Double threshold, Double baseline) {
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            String replacement = switch (name) {
                case "value" -> number(value);
                case "threshold" -> number(threshold);
                case "baseline" -> number(baseline);
                default -> labels.getOrDefault(name, matcher.group());
            };
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /** Four significant digits, no exponent: 0.7912, 1234, 0.0001235. */
    public static String number(Double value) {
        if (value == null || value.isNaN() || value.isInfinite()) {
            return "n/a";
        }
        return new BigDecimal(value)
                .round(new MathContext(4))
                .stripTrailingZeros()
                .toPlainString();
    }
}
