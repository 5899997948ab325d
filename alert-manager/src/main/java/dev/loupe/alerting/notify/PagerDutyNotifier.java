package dev.loupe.alerting.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.common.egress.EgressPolicy;
import dev.loupe.common.http.ProblemException;
import dev.loupe.contracts.json.EventJson;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.inject.Singleton;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Sends PagerDuty Events API v2 events: one PagerDuty incident per alert group, triggered while the group fires,
 * resolved when it resolves, acknowledged when a person acknowledges it in Loupe.
 * Settings: {@code {"routingKey", "url"?}}, url defaulting to {@link #DEFAULT_URL}.
 */
@Singleton
public class PagerDutyNotifier extends HttpNotifier {
    public static final String TYPE = "pagerduty";
    public static final String DEFAULT_URL = "https://events.pagerduty.com/v2/enqueue";
    static final int MAX_SUMMARY = 1024;

    public PagerDutyNotifier(Vertx vertx, EgressPolicy egress, ReceiversConfig config) {
        super(TYPE, vertx, egress, config);
    }

    @Override
    public void validate(JsonNode settings) {
        ReceiverSettings.requireObject(settings);
        routingKey(settings);
        if (settings.hasNonNull("url")) {
            ReceiverSettings.requireUrl(egress, settings, "url");
        }
    }

    @Override
    public Uni<Delivery> send(ReceiverConfig receiver, GroupNotification notification) {
        URI url;
        String routingKey;
        try {
            routingKey = routingKey(receiver.settings());
            url = receiver.settings().hasNonNull("url")
                    ? ReceiverSettings.parseUrl(receiver.settings(), "url")
                    : URI.create(DEFAULT_URL);
        } catch (ProblemException e) {
            return Uni.createFrom().item(ReceiverSettings.invalidSettings(e));
        }
        return http.postJson(receiver.name(), url, event(routingKey, notification), body -> true);
    }

    /** The routing key is a secret: errors say what is wrong with it, never what it is. */
    private static String routingKey(JsonNode settings) {
        JsonNode key = settings == null ? null : settings.get("routingKey");
        if (key == null || key.isNull()) {
            throw ProblemException.badRequest("settings.routingKey", "is required");
        }
        if (!key.isTextual()
                || key.asText().isBlank()
                || key.asText().length() > 255
                || !key.asText().matches("\\S+")) {
            throw ProblemException.badRequest(
                    "settings.routingKey", "must be the integration key of a PagerDuty service");
        }
        return key.asText();
    }

    static ObjectNode event(String routingKey, GroupNotification notification) {
        ObjectNode event = EventJson.mapper().createObjectNode();
        event.put("routing_key", routingKey);
        String action = notification.action() == GroupNotification.Action.ACKNOWLEDGE
                ? "acknowledge"
                : AlertSnapshot.FIRING.equals(notification.status()) ? "trigger" : "resolve";
        event.put("event_action", action);
        event.put("dedup_key", dedupKey(notification));
        if (action.equals("trigger")) {
            event.set("payload", payload(notification));
            ArrayNode links = event.putArray("links");
            AlertFormat.runbooks(notification)
                    .forEach(url -> links.addObject().put("href", url).put("text", "Runbook"));
            event.put("client", "Loupe");
            if (AlertFormat.isWebUrl(notification.externalUrl())) {
                event.put("client_url", notification.externalUrl());
            }
        }
        return event;
    }

    /**
     * The same for every event of one group, across restarts and replicas, so PagerDuty folds them into one
     * incident; the project and receiver keep two projects' groups with the same key apart.
     */
    static String dedupKey(GroupNotification notification) {
        String key = notification.projectId() + "/" + notification.receiver() + "/" + notification.groupKey();
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static ObjectNode payload(GroupNotification notification) {
        List<AlertSnapshot> firing = notification.alerts().stream()
                .filter(a -> AlertSnapshot.FIRING.equals(a.status()))
                .toList();
        List<AlertSnapshot> described = firing.isEmpty() ? notification.alerts() : firing;
        AlertSnapshot first = described.isEmpty() ? null : described.get(0);
        ObjectNode payload = EventJson.mapper().createObjectNode();
        String summary = AlertFormat.subject(notification);
        if (first != null) {
            summary += ": " + AlertFormat.summary(first)
                    + (described.size() > 1 ? " (and " + (described.size() - 1) + " more)" : "");
        }
        payload.put("summary", AlertFormat.truncate(summary, MAX_SUMMARY));
        payload.put("source", "loupe");
        payload.put(
                "severity",
                severity(described.stream()
                        .map(AlertSnapshot::severity)
                        .min(Comparator.comparingInt(AlertFormat::rank))
                        .orElse(null)));
        payload.put(
                "timestamp",
                described.stream()
                        .map(AlertSnapshot::startsAt)
                        .filter(Objects::nonNull)
                        .min(Comparator.naturalOrder())
                        .orElse(Instant.now())
                        .toString());
        String feature =
                notification.groupLabels() != null && notification.groupLabels().containsKey("feature")
                        ? notification.groupLabels().get("feature")
                        : first == null ? null : AlertFormat.labels(first).get("feature");
        if (feature != null) {
            payload.put("component", feature);
        }
        if (first != null && first.owner() != null) {
            payload.put("group", first.owner());
        }
        if (first != null && first.ruleId() != null) {
            payload.put("class", first.ruleId());
        }
        ObjectNode details = payload.putObject("custom_details");
        details.put("firing", firing.size());
        details.put("resolved", notification.alerts().size() - firing.size());
        ArrayNode alerts = details.putArray("alerts");
        for (AlertSnapshot alert : notification.alerts()) {
            ObjectNode node = alerts.addObject();
            node.put("fingerprint", alert.fingerprint());
            node.put("status", alert.status());
            node.put("summary", AlertFormat.summary(alert));
            node.set("labels", AlertFormat.object(AlertFormat.labels(alert)));
            putPresent(node, "value", AlertFormat.plain(alert.value()));
            putPresent(node, "threshold", AlertFormat.plain(alert.threshold()));
            putPresent(node, "baseline", AlertFormat.plain(alert.baseline()));
            putPresent(node, "runbookUrl", alert.runbookUrl());
            putPresent(
                    node,
                    "startsAt",
                    alert.startsAt() == null ? null : alert.startsAt().toString());
        }
        return payload;
    }

    private static void putPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    /** PagerDuty knows four severities; Loupe's rules may say more. */
    static String severity(String severity) {
        return switch (AlertFormat.rank(severity)) {
            case 0 -> "critical";
            case 1 -> "error";
            case 2 -> "warning";
            default -> "info";
        };
    }
}
