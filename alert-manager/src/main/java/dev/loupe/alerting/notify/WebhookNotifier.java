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
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Posts Prometheus Alertmanager's webhook payload (version 4) to any URL, so tools written for Alertmanager
 * read Loupe's notifications unchanged. Settings: {@code {"url"}}.
 */
@Singleton
public class WebhookNotifier extends HttpNotifier {
    public static final String TYPE = "webhook";

    public WebhookNotifier(Vertx vertx, EgressPolicy egress, ReceiversConfig config) {
        super(TYPE, vertx, egress, config);
    }

    @Override
    public Uni<Delivery> send(ReceiverConfig receiver, GroupNotification notification) {
        if (notification.action() == GroupNotification.Action.ACKNOWLEDGE) {
            // Alertmanager has no acknowledgement, so its webhook format has no way to say it
            return Uni.createFrom().item(Delivery.delivered("acknowledgement not sent to webhooks"));
        }
        URI url;
        try {
            url = ReceiverSettings.parseUrl(receiver.settings(), "url");
        } catch (ProblemException e) {
            return Uni.createFrom().item(ReceiverSettings.invalidSettings(e));
        }
        return http.postJson(receiver.name(), url, payload(notification), body -> true);
    }

    /** Alertmanager's {@code webhook} message, field for field. */
    static ObjectNode payload(GroupNotification notification) {
        List<SortedMap<String, String>> labels =
                notification.alerts().stream().map(AlertFormat::labels).toList();
        List<SortedMap<String, String>> annotations =
                notification.alerts().stream().map(AlertFormat::annotations).toList();
        ObjectNode root = EventJson.mapper().createObjectNode();
        root.put("version", "4");
        root.put("groupKey", notification.groupKey());
        root.put("truncatedAlerts", 0);
        root.put("status", notification.status());
        root.put("receiver", notification.receiver());
        root.set(
                "groupLabels",
                AlertFormat.object(
                        new TreeMap<>(notification.groupLabels() == null ? Map.of() : notification.groupLabels())));
        root.set("commonLabels", AlertFormat.object(AlertFormat.common(labels)));
        root.set("commonAnnotations", AlertFormat.object(AlertFormat.common(annotations)));
        root.put("externalURL", notification.externalUrl() == null ? "" : notification.externalUrl());
        ArrayNode alerts = root.putArray("alerts");
        for (int i = 0; i < notification.alerts().size(); i++) {
            AlertSnapshot alert = notification.alerts().get(i);
            ObjectNode node = alerts.addObject();
            node.put("status", alert.status());
            node.set("labels", AlertFormat.object(labels.get(i)));
            node.set("annotations", AlertFormat.object(annotations.get(i)));
            node.put(
                    "startsAt",
                    alert.startsAt() == null
                            ? AlertFormat.ZERO_TIME
                            : alert.startsAt().toString());
            node.put(
                    "endsAt",
                    AlertSnapshot.FIRING.equals(alert.status()) || alert.endsAt() == null
                            ? AlertFormat.ZERO_TIME
                            : alert.endsAt().toString());
            node.put("generatorURL", alert.generatorUrl() == null ? "" : alert.generatorUrl());
            node.put("fingerprint", alert.fingerprint());
        }
        return root;
    }
}
