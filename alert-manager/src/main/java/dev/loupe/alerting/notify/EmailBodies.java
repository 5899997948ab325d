package dev.loupe.alerting.notify;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The email receiver's plain-text and HTML bodies; the HTML escapes every string a user or a label supplied. */
final class EmailBodies {
    private EmailBodies() {}

    static String text(GroupNotification notification) {
        StringBuilder out = new StringBuilder(AlertFormat.subject(notification)).append("\n");
        for (String status : List.of(AlertSnapshot.FIRING, AlertSnapshot.RESOLVED)) {
            List<AlertSnapshot> alerts = byStatus(notification, status);
            if (alerts.isEmpty()) {
                continue;
            }
            out.append("\n").append(heading(status, alerts.size())).append("\n");
            for (AlertSnapshot alert : alerts) {
                Map<String, String> a = AlertFormat.annotations(alert);
                out.append("\n- ").append(AlertFormat.summary(alert)).append("\n");
                out.append("  severity: ")
                        .append(orDash(severity(alert)))
                        .append(", owner: ")
                        .append(orDash(a.get("owner")))
                        .append("\n");
                out.append("  value: ")
                        .append(orDash(a.get("value")))
                        .append(", threshold: ")
                        .append(orDash(a.get("threshold")))
                        .append(", baseline: ")
                        .append(orDash(a.get("baseline")))
                        .append("\n");
                out.append("  labels: ").append(labels(alert)).append("\n");
                if (alert.startsAt() != null) {
                    out.append("  since: ").append(alert.startsAt()).append("\n");
                }
                if (a.get("runbookUrl") != null) {
                    out.append("  runbook: ").append(a.get("runbookUrl")).append("\n");
                }
            }
        }
        if (notification.externalUrl() != null && !notification.externalUrl().isBlank()) {
            out.append("\nOpen in Loupe: ").append(notification.externalUrl()).append("\n");
        }
        return out.toString();
    }

    static String html(GroupNotification notification) {
        StringBuilder out = new StringBuilder("<!DOCTYPE html><html><body style=\"font-family: sans-serif\">");
        out.append("<h2>").append(escape(AlertFormat.subject(notification))).append("</h2>");
        for (String status : List.of(AlertSnapshot.FIRING, AlertSnapshot.RESOLVED)) {
            List<AlertSnapshot> alerts = byStatus(notification, status);
            if (alerts.isEmpty()) {
                continue;
            }
            out.append("<h3>").append(heading(status, alerts.size())).append("</h3><ul>");
            for (AlertSnapshot alert : alerts) {
                Map<String, String> a = AlertFormat.annotations(alert);
                out.append("<li><p><strong>")
                        .append(escape(AlertFormat.summary(alert)))
                        .append("</strong><br>")
                        .append("Severity: ")
                        .append(escape(orDash(severity(alert))))
                        .append(" · Owner: ")
                        .append(escape(orDash(a.get("owner"))))
                        .append("<br>")
                        .append("Value: ")
                        .append(escape(orDash(a.get("value"))))
                        .append(" · Threshold: ")
                        .append(escape(orDash(a.get("threshold"))))
                        .append(" · Baseline: ")
                        .append(escape(orDash(a.get("baseline"))))
                        .append("<br>")
                        .append("Labels: ")
                        .append(escape(labels(alert)));
                if (alert.startsAt() != null) {
                    out.append("<br>Since: ").append(escape(alert.startsAt().toString()));
                }
                String runbook = a.get("runbookUrl");
                if (AlertFormat.isWebUrl(runbook)) {
                    out.append("<br><a href=\"").append(escape(runbook)).append("\">Runbook</a>");
                } else if (runbook != null) {
                    out.append("<br>Runbook: ").append(escape(runbook));
                }
                out.append("</p></li>");
            }
            out.append("</ul>");
        }
        if (AlertFormat.isWebUrl(notification.externalUrl())) {
            out.append("<p><a href=\"")
                    .append(escape(notification.externalUrl()))
                    .append("\">Open in Loupe</a></p>");
        }
        return out.append("</body></html>").toString();
    }

    /** HTML text and attribute escaping; an attribute is always double-quoted here. */
    static String escape(String text) {
        if (text == null) {
            return "";
        }
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    private static List<AlertSnapshot> byStatus(GroupNotification notification, String status) {
        return notification.alerts().stream()
                .filter(a -> status.equals(a.status()))
                .toList();
    }

    private static String heading(String status, int count) {
        return (AlertSnapshot.FIRING.equals(status) ? "Firing" : "Resolved") + " (" + count + ")";
    }

    private static String severity(AlertSnapshot alert) {
        return alert.severity() != null
                ? alert.severity()
                : AlertFormat.labels(alert).get("severity");
    }

    private static String labels(AlertSnapshot alert) {
        return AlertFormat.labels(alert).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private static String orDash(String value) {
        return value == null || value.isBlank() ? "–" : value;
    }
}
