package dev.loupe.alerting.notify;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Alert groups for the receiver tests: the {@code eval-pass-rate-drop} group of {@code support-rag} with two alerts,
 * the second carrying markup ({@code <b>&}, {@code <!channel>}) in its summary and a label to prove escaping.
 */
final class TestNotifications {
    static final String PROJECT = "p-notify";
    static final String RECEIVER = "oncall";
    static final String GROUP_KEY = "{}:{alertname=\"eval-pass-rate-drop\", feature=\"support-rag\"}";
    static final String EXTERNAL_URL = "http://localhost:8084/alerts";
    static final String RUNBOOK = "https://docs.loupe.dev/runbooks/eval-pass-rate-drop.md";
    static final String ESCAPE_SUMMARY = "Pass rate <b>& fell for <!channel>";
    static final Instant STARTS = Instant.parse("2026-11-27T10:00:00Z");
    static final Instant ENDS = Instant.parse("2026-11-27T10:30:00Z");

    private TestNotifications() {}

    static AlertSnapshot jsonValid(String status) {
        return new AlertSnapshot(
                "fp-json-valid",
                "eval-pass-rate-drop",
                status,
                Map.of(
                        "alertname",
                        "eval-pass-rate-drop",
                        "severity",
                        "critical",
                        "owner",
                        "team-ml-quality",
                        "feature",
                        "support-rag",
                        "evaluator",
                        "json_valid"),
                Map.of("summary", "Eval pass rate for support-rag fell to 0.71 (baseline 0.9)"),
                STARTS,
                status.equals(AlertSnapshot.RESOLVED) ? ENDS : null,
                "http://localhost:8084/metrics/eval_pass_rate?feature=support-rag&evaluator=json_valid",
                "critical",
                "team-ml-quality",
                RUNBOOK,
                "Eval pass rate for support-rag fell to 0.71 (baseline 0.9)",
                0.71,
                0.8,
                0.9,
                null);
    }

    /** No baseline (a static rule), a value that Java would print as 50.0 and a threshold it would print as 1.0E-7. */
    static AlertSnapshot regexAbsent(String status) {
        return new AlertSnapshot(
                "fp-regex-absent",
                "eval-pass-rate-drop",
                status,
                Map.of(
                        "alertname",
                        "eval-pass-rate-drop",
                        "severity",
                        "critical",
                        "owner",
                        "team-ml-quality",
                        "feature",
                        "support-rag",
                        "evaluator",
                        "regex_absent<&>"),
                Map.of("summary", ESCAPE_SUMMARY, "dashboard", "http://localhost:8084/"),
                STARTS.plusSeconds(60),
                status.equals(AlertSnapshot.RESOLVED) ? ENDS : null,
                null,
                "critical",
                "team-ml-quality",
                RUNBOOK,
                ESCAPE_SUMMARY,
                50.0,
                1.0E-7,
                null,
                null);
    }

    static GroupNotification firing() {
        return group(
                AlertSnapshot.FIRING,
                List.of(jsonValid(AlertSnapshot.FIRING), regexAbsent(AlertSnapshot.FIRING)),
                GroupNotification.Action.NOTIFY);
    }

    static GroupNotification resolved() {
        return group(
                AlertSnapshot.RESOLVED,
                List.of(jsonValid(AlertSnapshot.RESOLVED), regexAbsent(AlertSnapshot.RESOLVED)),
                GroupNotification.Action.NOTIFY);
    }

    static GroupNotification acknowledged(String by) {
        List<AlertSnapshot> alerts = new ArrayList<>();
        for (AlertSnapshot a : List.of(jsonValid(AlertSnapshot.FIRING), regexAbsent(AlertSnapshot.FIRING))) {
            alerts.add(new AlertSnapshot(
                    a.fingerprint(),
                    a.ruleId(),
                    a.status(),
                    a.labels(),
                    a.annotations(),
                    a.startsAt(),
                    a.endsAt(),
                    a.generatorUrl(),
                    a.severity(),
                    a.owner(),
                    a.runbookUrl(),
                    a.summary(),
                    a.value(),
                    a.threshold(),
                    a.baseline(),
                    by));
        }
        return group(AlertSnapshot.FIRING, alerts, GroupNotification.Action.ACKNOWLEDGE);
    }

    /** A group of {@code n} firing alerts, for limits. */
    static GroupNotification firingMany(int n) {
        AlertSnapshot a = jsonValid(AlertSnapshot.FIRING);
        List<AlertSnapshot> alerts = IntStream.range(0, n)
                .mapToObj(i -> new AlertSnapshot(
                        "fp-" + i,
                        a.ruleId(),
                        a.status(),
                        a.labels(),
                        a.annotations(),
                        a.startsAt(),
                        null,
                        a.generatorUrl(),
                        a.severity(),
                        a.owner(),
                        a.runbookUrl(),
                        "alert number " + i,
                        a.value(),
                        a.threshold(),
                        a.baseline(),
                        null))
                .toList();
        return group(AlertSnapshot.FIRING, alerts, GroupNotification.Action.NOTIFY);
    }

    static GroupNotification group(String status, List<AlertSnapshot> alerts, GroupNotification.Action action) {
        return new GroupNotification(
                PROJECT,
                RECEIVER,
                GROUP_KEY,
                Map.of("alertname", "eval-pass-rate-drop", "feature", "support-rag"),
                status,
                alerts,
                EXTERNAL_URL,
                action);
    }
}
