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
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Hands Loupe's alerts to an existing Prometheus Alertmanager ({@code POST {url}/api/v2/alerts}), so teams that
 * route everything through theirs keep doing so. A firing alert is sent without {@code endsAt}: Alertmanager then
 * resolves it by itself {@code resolve_timeout} (5 minutes by default) after the last time it heard of it, which
 * is why the dispatcher re-sends the group of a firing alert at least every minute (Prometheus does the same);
 * a resolved alert carries its {@code endsAt}. Settings: {@code {"url"}}, Alertmanager's base URL.
 */
@Singleton
public class AlertmanagerNotifier extends HttpNotifier {
    public static final String TYPE = "alertmanager";

    public AlertmanagerNotifier(Vertx vertx, EgressPolicy egress, ReceiversConfig config) {
        super(TYPE, vertx, egress, config);
    }

    @Override
    public Uni<Delivery> send(ReceiverConfig receiver, GroupNotification notification) {
        if (notification.action() == GroupNotification.Action.ACKNOWLEDGE) {
            // acknowledgement is a Loupe notion (Alertmanager #1860); a silence would be something else
            return Uni.createFrom().item(Delivery.delivered("acknowledgement not sent to Alertmanager"));
        }
        URI base;
        try {
            base = ReceiverSettings.parseUrl(receiver.settings(), "url");
        } catch (ProblemException e) {
            return Uni.createFrom().item(ReceiverSettings.invalidSettings(e));
        }
        return http.postJson(receiver.name(), alertsEndpoint(base), alerts(notification), body -> true);
    }

    static URI alertsEndpoint(URI base) {
        return URI.create(base.toString().replaceAll("/+$", "") + "/api/v2/alerts");
    }

    static ArrayNode alerts(GroupNotification notification) {
        ArrayNode alerts = EventJson.mapper().createArrayNode();
        for (AlertSnapshot alert : notification.alerts()) {
            ObjectNode node = alerts.addObject();
            SortedMap<String, String> labels = AlertFormat.labels(alert);
            if (alert.ruleId() != null) {
                labels.put("alertname", alert.ruleId());
            }
            node.set("labels", AlertFormat.object(names(labels)));
            node.set("annotations", AlertFormat.object(names(AlertFormat.annotations(alert))));
            if (alert.startsAt() != null) {
                node.put("startsAt", alert.startsAt().toString());
            }
            if (!AlertSnapshot.FIRING.equals(alert.status()) && alert.endsAt() != null) {
                node.put("endsAt", alert.endsAt().toString());
            }
            if (alert.generatorUrl() != null && !alert.generatorUrl().isBlank()) {
                node.put("generatorURL", alert.generatorUrl());
            }
        }
        return alerts;
    }

    /**
     * Alertmanager rejects the whole request when one name is not {@code [a-zA-Z_][a-zA-Z0-9_]*} (before its UTF-8
     * mode): other characters become {@code _}, as Prometheus' relabelling would write them.
     */
    static SortedMap<String, String> names(Map<String, String> pairs) {
        SortedMap<String, String> valid = new TreeMap<>();
        pairs.forEach((name, value) -> {
            String clean = name.replaceAll("[^a-zA-Z0-9_]", "_");
            valid.putIfAbsent(clean.isEmpty() || Character.isDigit(clean.charAt(0)) ? "_" + clean : clean, value);
        });
        return valid;
    }
}
