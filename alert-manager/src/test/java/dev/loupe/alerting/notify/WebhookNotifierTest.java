package dev.loupe.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.common.egress.EgressPolicy;
import dev.loupe.contracts.json.EventJson;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookNotifierTest extends HttpNotifierContract {
    @Override
    Notifier create(EgressPolicy egress, ReceiversConfig config) {
        return new WebhookNotifier(vertx, egress, config);
    }

    @Override
    ObjectNode settings(String url) {
        return EventJson.mapper().createObjectNode().put("url", url);
    }

    @Test
    void firingGroupIsPostedAsAlertmanagersVersion4Payload() throws Exception {
        fake.answer(200, "");

        send(TestNotifications.firing());

        JsonNode expected = EventJson.mapper().readTree("""
                {"version": "4",
                 "groupKey": "{}:{alertname=\\"eval-pass-rate-drop\\", feature=\\"support-rag\\"}",
                 "truncatedAlerts": 0,
                 "status": "firing",
                 "receiver": "oncall",
                 "groupLabels": {"alertname": "eval-pass-rate-drop", "feature": "support-rag"},
                 "commonLabels": {"alertname": "eval-pass-rate-drop", "feature": "support-rag", "owner": "team-ml-quality",
                                  "severity": "critical"},
                 "commonAnnotations": {"owner": "team-ml-quality",
                                       "runbookUrl": "https://docs.loupe.dev/runbooks/eval-pass-rate-drop.md"},
                 "externalURL": "http://localhost:8084/alerts",
                 "alerts": [
                   {"status": "firing",
                    "labels": {"alertname": "eval-pass-rate-drop", "evaluator": "json_valid", "feature": "support-rag",
                               "owner": "team-ml-quality", "severity": "critical"},
                    "annotations": {"summary": "Eval pass rate for support-rag fell to 0.71 (baseline 0.9)",
                                    "owner": "team-ml-quality",
                                    "runbookUrl": "https://docs.loupe.dev/runbooks/eval-pass-rate-drop.md",
                                    "value": "0.71", "threshold": "0.8", "baseline": "0.9"},
                    "startsAt": "2026-11-27T10:00:00Z",
                    "endsAt": "0001-01-01T00:00:00Z",
                    "generatorURL": "http://localhost:8084/metrics/eval_pass_rate?feature=support-rag&evaluator=json_valid",
                    "fingerprint": "fp-json-valid"},
                   {"status": "firing",
                    "labels": {"alertname": "eval-pass-rate-drop", "evaluator": "regex_absent<&>", "feature": "support-rag",
                               "owner": "team-ml-quality", "severity": "critical"},
                    "annotations": {"summary": "Pass rate <b>& fell for <!channel>",
                                    "dashboard": "http://localhost:8084/",
                                    "owner": "team-ml-quality",
                                    "runbookUrl": "https://docs.loupe.dev/runbooks/eval-pass-rate-drop.md",
                                    "value": "50", "threshold": "0.0000001"},
                    "startsAt": "2026-11-27T10:01:00Z",
                    "endsAt": "0001-01-01T00:00:00Z",
                    "generatorURL": "",
                    "fingerprint": "fp-regex-absent"}
                 ]}
                """);
        JsonNode received = fake.take().json();
        assertThat(received).isEqualTo(expected);
        assertThat(fieldNames(received))
                .containsExactly(
                        "version",
                        "groupKey",
                        "truncatedAlerts",
                        "status",
                        "receiver",
                        "groupLabels",
                        "commonLabels",
                        "commonAnnotations",
                        "externalURL",
                        "alerts");
        assertThat(fieldNames(received.get("alerts").get(0)))
                .containsExactly(
                        "status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint");
    }

    @Test
    void resolvedAlertsCarryTheirEnd() {
        fake.answer(204, "");

        Delivery delivery = send(TestNotifications.resolved());

        assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.DELIVERED);
        JsonNode received = fake.take().json();
        assertThat(received.get("status").asText()).isEqualTo("resolved");
        assertThat(received.get("alerts").findValuesAsText("endsAt")).containsOnly("2026-11-27T10:30:00Z");
        assertThat(received.get("alerts").findValuesAsText("status")).containsOnly("resolved");
    }

    @Test
    void acknowledgementIsNotSent() {
        Delivery delivery = send(TestNotifications.acknowledged("alice"));

        assertThat(delivery).isEqualTo(Delivery.delivered("acknowledgement not sent to webhooks"));
        assertThat(fake.received()).isZero();
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
