package dev.loupe.alerting.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.contracts.json.EventJson;
import java.math.BigDecimal;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** What every receiver's message is built from: one way to title a group, render a value, complete annotations. */
final class AlertFormat {
    /** Alertmanager's "not set" time, which it sends as {@code endsAt} of a firing alert. */
    static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private AlertFormat() {}

    /** A number as a plain string: {@code 0.85}, {@code 50}, never {@code 5.0E1}; Prometheus' spelling for the rest. */
    static String plain(Double value) {
        if (value == null) {
            return null;
        }
        if (value.isNaN()) {
            return "NaN";
        }
        if (value.isInfinite()) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == 0) {
            return "0";
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    /** The alert's labels, sorted, with {@code alertname} = the rule id when the snapshot lacks it. */
    static SortedMap<String, String> labels(AlertSnapshot alert) {
        SortedMap<String, String> labels = new TreeMap<>(alert.labels() == null ? Map.of() : alert.labels());
        if (alert.ruleId() != null) {
            labels.putIfAbsent("alertname", alert.ruleId());
        }
        return labels;
    }

    /**
     * The alert's annotations, sorted, completed from its fields with {@code summary}, {@code owner},
     * {@code runbookUrl}, {@code value}, {@code threshold} and {@code baseline} (docs/architecture.md#alert-rules); absent ones are left out.
     */
    static SortedMap<String, String> annotations(AlertSnapshot alert) {
        SortedMap<String, String> annotations =
                new TreeMap<>(alert.annotations() == null ? Map.of() : alert.annotations());
        putPresent(annotations, "summary", alert.summary());
        putPresent(annotations, "owner", alert.owner());
        putPresent(annotations, "runbookUrl", alert.runbookUrl());
        putPresent(annotations, "value", plain(alert.value()));
        putPresent(annotations, "threshold", plain(alert.threshold()));
        putPresent(annotations, "baseline", plain(alert.baseline()));
        return annotations;
    }

    private static void putPresent(Map<String, String> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    /** The pairs every map holds with the same value (Alertmanager's commonLabels / commonAnnotations). */
    static SortedMap<String, String> common(List<? extends Map<String, String>> maps) {
        if (maps.isEmpty()) {
            return new TreeMap<>();
        }
        SortedMap<String, String> common = new TreeMap<>(maps.get(0));
        for (Map<String, String> map : maps.subList(1, maps.size())) {
            common.entrySet().removeIf(e -> !e.getValue().equals(map.get(e.getKey())));
        }
        return common;
    }

    /** The group's label values sorted by name, as Alertmanager titles a group: {@code eval-pass-rate-drop support-rag}. */
    static String title(GroupNotification notification) {
        Map<String, String> groupLabels = notification.groupLabels() == null ? Map.of() : notification.groupLabels();
        if (groupLabels.isEmpty()) {
            return notification.alerts().stream()
                    .map(AlertSnapshot::ruleId)
                    .filter(id -> id != null)
                    .distinct()
                    .collect(Collectors.joining(" "));
        }
        return new TreeMap<>(groupLabels).values().stream().collect(Collectors.joining(" "));
    }

    static long firing(GroupNotification notification) {
        return notification.alerts().stream()
                .filter(a -> AlertSnapshot.FIRING.equals(a.status()))
                .count();
    }

    /** {@code [FIRING:2] eval-pass-rate-drop support-rag} or {@code [RESOLVED] …}, Alertmanager's default subject. */
    static String subject(GroupNotification notification) {
        boolean firing = AlertSnapshot.FIRING.equals(notification.status());
        return "[" + (firing ? "FIRING:" + firing(notification) : "RESOLVED") + "] " + title(notification);
    }

    static String summary(AlertSnapshot alert) {
        if (alert.summary() != null && !alert.summary().isBlank()) {
            return alert.summary();
        }
        String annotated =
                alert.annotations() == null ? null : alert.annotations().get("summary");
        return annotated != null && !annotated.isBlank() ? annotated : alert.ruleId();
    }

    /** Most severe first: critical, error (or high), warning, then anything else. */
    static int rank(String severity) {
        return switch (severity == null ? "" : severity.toLowerCase(Locale.ROOT)) {
            case "critical" -> 0;
            case "error", "high" -> 1;
            case "warning" -> 2;
            default -> 3;
        };
    }

    /** Who acknowledged the group: the first name a snapshot carries. */
    static String acknowledgedBy(GroupNotification notification) {
        return notification.alerts().stream()
                .map(AlertSnapshot::acknowledgedBy)
                .filter(by -> by != null && !by.isBlank())
                .findFirst()
                .orElse("someone");
    }

    static String truncate(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        return text.substring(0, max - 1) + "…";
    }

    /** True for an absolute http(s) URL: only those become links. */
    static boolean isWebUrl(String url) {
        if (url == null) {
            return false;
        }
        try {
            URI uri = new URI(url);
            return uri.getHost() != null
                    && ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()));
        } catch (Exception e) {
            return false;
        }
    }

    /** A JSON object of string pairs, in the map's order. */
    static ObjectNode object(Map<String, String> pairs) {
        ObjectNode node = EventJson.mapper().createObjectNode();
        pairs.forEach(node::put);
        return node;
    }

    /** Distinct runbook URLs of the group, in alert order. */
    static List<String> runbooks(GroupNotification notification) {
        return notification.alerts().stream()
                .map(AlertSnapshot::runbookUrl)
                .filter(AlertFormat::isWebUrl)
                .distinct()
                .toList();
    }
}
