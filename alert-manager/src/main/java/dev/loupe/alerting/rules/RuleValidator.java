package dev.loupe.alerting.rules;

import dev.loupe.alerting.conditions.Conditions;
import dev.loupe.common.http.Problem;
import dev.loupe.common.http.ProblemException;
import dev.loupe.contracts.events.MetricCatalogue;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a rule before it is stored and fills its defaults; every problem is reported at once, each naming
 * its field. A rule without an {@code owner} and a {@code runbookUrl} is refused: every alert must say who
 * acts and how.
 */
public final class RuleValidator {
    static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]{0,63}");
    static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");
    static final Duration MAX_DURATION = Duration.ofDays(1);
    static final int MAX_TEXT = 1_024;

    private RuleValidator() {}

    /** The rule with defaults filled in, or a 400 problem listing every error. */
    public static Rule validated(String id, Rule rule) {
        List<Problem.FieldError> errors = new ArrayList<>();
        if (rule == null) {
            throw ProblemException.badRequest(
                    "body", "a rule: metric, groupBy, condition, severity, owner, runbookUrl");
        }
        if (id == null || !ID.matcher(id).matches()) {
            errors.add(
                    new Problem.FieldError("id", "lower-case letters, digits, '.', '_' and '-', 1 to 64, was " + id));
        }
        List<String> groupBy = rule.groupBy() == null
                ? List.of()
                : rule.groupBy().stream().map(g -> g == null ? "" : g).toList();
        Map<String, String> filter = rule.filter() == null ? Map.of() : rule.filter();
        // the aggregator publishes exactly MetricCatalogue's series: a rule on anything else would never fire
        if (rule.metric() == null
                || MetricCatalogue.dimensionSets(rule.metric()).isEmpty()) {
            errors.add(new Problem.FieldError(
                    "metric",
                    "one of " + String.join(", ", MetricCatalogue.metrics())
                            + (rule.metric() == null ? "" : "; was " + rule.metric())));
        } else if (!MetricCatalogue.publishes(rule.metric(), new HashSet<>(groupBy))
                || groupBy.size() != new HashSet<>(groupBy).size()) {
            errors.add(new Problem.FieldError(
                    "groupBy",
                    rule.metric() + " is published per " + MetricCatalogue.dimensionSets(rule.metric())
                            + "; groupBy must be one of these, was " + groupBy));
        }
        for (Map.Entry<String, String> entry : filter.entrySet()) {
            String key = entry.getKey();
            if (entry.getValue() == null
                    || entry.getValue().isEmpty()
                    || entry.getValue().length() > 256) {
                errors.add(new Problem.FieldError("filter." + key, "a value of 1 to 256 characters"));
            } else if (!groupBy.contains(key)) {
                errors.add(new Problem.FieldError(
                        "filter." + key, "a filter applies to a groupBy dimension; " + key + " is not in " + groupBy));
            }
        }
        Condition condition = rule.condition();
        if (condition == null) {
            errors.add(new Problem.FieldError("condition", "required: {\"type\": static|baseline|robust|shift, …}"));
        } else {
            errors.addAll(Conditions.validate(condition));
        }
        duration(errors, "for", rule.pendingFor());
        duration(errors, "keepFiringFor", rule.keepFiringFor());
        if (rule.severity() == null || !SEVERITIES.contains(rule.severity())) {
            errors.add(new Problem.FieldError("severity", "one of critical, warning, info"));
        }
        if (rule.owner() == null || rule.owner().isBlank() || rule.owner().length() > 128) {
            errors.add(new Problem.FieldError("owner", "required: the team or person who acts on this alert"));
        }
        if (!isHttpUrl(rule.runbookUrl())) {
            errors.add(new Problem.FieldError("runbookUrl", "required: an http(s) link to what to do when it fires"));
        }
        if (rule.summary() != null && rule.summary().length() > MAX_TEXT) {
            errors.add(new Problem.FieldError("summary", "at most " + MAX_TEXT + " characters"));
        }
        Map<String, String> labels = rule.labels() == null ? Map.of() : rule.labels();
        if (labels.size() > 16) {
            errors.add(new Problem.FieldError("labels", "at most 16 labels"));
        }
        labels.forEach((key, value) -> {
            if (!LABEL.matcher(key).matches()) {
                errors.add(new Problem.FieldError("labels." + key, "label names are [a-zA-Z_][a-zA-Z0-9_]*"));
            } else if (value == null || value.length() > 256) {
                errors.add(new Problem.FieldError("labels." + key, "a value of at most 256 characters"));
            }
        });
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        String summary = rule.summary() != null
                ? rule.summary()
                : id + ": " + rule.metric() + " is {{value}} (threshold {{threshold}})";
        return new Rule(
                id,
                rule.metric(),
                Map.copyOf(filter),
                List.copyOf(groupBy),
                Conditions.withDefaults(condition),
                rule.pendingFor() == null ? Duration.ZERO : rule.pendingFor(),
                rule.keepFiringFor() == null ? Duration.ZERO : rule.keepFiringFor(),
                rule.severity(),
                rule.owner(),
                rule.runbookUrl(),
                summary,
                Map.copyOf(labels),
                rule.isEnabled());
    }

    private static void duration(List<Problem.FieldError> errors, String field, Duration value) {
        if (value != null && (value.isNegative() || value.compareTo(MAX_DURATION) > 0)) {
            errors.add(new Problem.FieldError(field, "an ISO-8601 duration from PT0S to P1D, was " + value));
        }
    }

    private static boolean isHttpUrl(String url) {
        if (url == null || url.isBlank() || url.length() > 2_048) {
            return false;
        }
        try {
            URI uri = URI.create(url);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
