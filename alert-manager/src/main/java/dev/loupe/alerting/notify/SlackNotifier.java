package dev.loupe.alerting.notify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.common.egress.EgressPolicy;
import dev.loupe.common.http.ProblemException;
import dev.loupe.contracts.json.EventJson;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Posts a message to a Slack incoming webhook: a fallback {@code text} and {@code blocks} with one section per
 * alert. Every user-derived string is escaped ({@code & < >}) so a summary or label cannot mention
 * {@code <!channel>} or forge a link. Settings: {@code {"url"}}.
 */
@Singleton
public class SlackNotifier extends HttpNotifier {
    public static final String TYPE = "slack";
    /** Alerts shown one by one; the rest are counted, which keeps the message under Slack's 50 blocks. */
    static final int MAX_ALERTS = 10;

    private static final int MAX_SUMMARY = 500;

    public SlackNotifier(Vertx vertx, EgressPolicy egress, ReceiversConfig config) {
        super(TYPE, vertx, egress, config);
    }

    @Override
    public Uni<Delivery> send(ReceiverConfig receiver, GroupNotification notification) {
        URI url;
        try {
            url = ReceiverSettings.parseUrl(receiver.settings(), "url");
        } catch (ProblemException e) {
            return Uni.createFrom().item(ReceiverSettings.invalidSettings(e));
        }
        ObjectNode message = notification.action() == GroupNotification.Action.ACKNOWLEDGE
                ? acknowledgement(notification)
                : message(notification);
        // Slack answers a good message with 200 and the body "ok"; anything else did not post
        return http.postJson(receiver.name(), url, message, body -> body.strip().equals("ok"));
    }

    static ObjectNode acknowledgement(GroupNotification notification) {
        ObjectNode root = EventJson.mapper().createObjectNode();
        root.put(
                "text",
                ":eyes: " + escape(AlertFormat.title(notification)) + " acknowledged by "
                        + escape(AlertFormat.acknowledgedBy(notification)));
        return root;
    }

    static ObjectNode message(GroupNotification notification) {
        boolean firing = AlertSnapshot.FIRING.equals(notification.status());
        int count = notification.alerts().size();
        ObjectNode root = EventJson.mapper().createObjectNode();
        root.put("text", escape(AlertFormat.subject(notification)));
        ArrayNode blocks = root.putArray("blocks");
        // a header is plain_text, which Slack does not parse: only our own words go there
        ObjectNode header = blocks.addObject().put("type", "header");
        header.putObject("text")
                .put("type", "plain_text")
                .put("emoji", true)
                .put(
                        "text",
                        (firing ? ":rotating_light: FIRING" : ":white_check_mark: RESOLVED") + " · " + count
                                + (count == 1 ? " alert" : " alerts"));
        section(
                blocks,
                "*" + escape(AlertFormat.truncate(AlertFormat.title(notification), MAX_SUMMARY)) + "*"
                        + (AlertFormat.isWebUrl(notification.externalUrl())
                                ? "  " + link(notification.externalUrl(), "Open in Loupe")
                                : ""));
        notification.alerts().stream().limit(MAX_ALERTS).forEach(alert -> section(blocks, alertText(alert)));
        if (count > MAX_ALERTS) {
            ObjectNode more = blocks.addObject().put("type", "context");
            more.putArray("elements")
                    .addObject()
                    .put("type", "mrkdwn")
                    .put("text", "and " + (count - MAX_ALERTS) + " more");
        }
        return root;
    }

    private static void section(ArrayNode blocks, String mrkdwn) {
        blocks.addObject()
                .put("type", "section")
                .putObject("text")
                .put("type", "mrkdwn")
                .put("text", mrkdwn);
    }

    static String alertText(AlertSnapshot alert) {
        Map<String, String> annotations = AlertFormat.annotations(alert);
        List<String> lines = new ArrayList<>();
        lines.add((AlertSnapshot.FIRING.equals(alert.status()) ? ":red_circle: " : ":large_green_circle: ") + "*"
                + escape(AlertFormat.truncate(AlertFormat.summary(alert), MAX_SUMMARY)) + "*");
        String severity = alert.severity() != null
                ? alert.severity()
                : AlertFormat.labels(alert).get("severity");
        lines.add("Severity: " + escape(orDash(severity)) + " · Owner: " + escape(orDash(annotations.get("owner"))));
        lines.add("Value: " + escape(orDash(annotations.get("value"))) + " · Threshold: "
                + escape(orDash(annotations.get("threshold"))) + " · Baseline: "
                + escape(orDash(annotations.get("baseline"))));
        String runbook = annotations.get("runbookUrl");
        if (AlertFormat.isWebUrl(runbook)) {
            lines.add(link(runbook, "Runbook"));
        } else if (runbook != null) {
            lines.add("Runbook: " + escape(runbook));
        }
        return String.join("\n", lines);
    }

    /** Slack's link syntax {@code <url|text>}; {@code |} would end the URL early, so it is percent-encoded. */
    static String link(String url, String text) {
        return "<" + escape(url).replace("|", "%7C") + "|" + escape(text) + ">";
    }

    /** The three characters Slack's mrkdwn gives meaning to: enough to keep user text from becoming markup. */
    static String escape(String text) {
        return text == null
                ? ""
                : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String orDash(String value) {
        return value == null || value.isBlank() ? "–" : value;
    }
}
