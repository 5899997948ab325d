package dev.loupe.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.common.egress.EgressPolicy;
import dev.loupe.common.http.ProblemException;
import dev.loupe.contracts.json.EventJson;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PagerDutyNotifierTest extends HttpNotifierContract {
    static final String ROUTING_KEY = "R0UT1NGKEY0000000000000000000000";
    /** sha256 of {@code p-notify/oncall/<GROUP_KEY>}, computed independently with sha256sum. */
    static final String DEDUP_KEY_VALUE = "a4e6f75aff59b3767814771ec2f30b9abb72f2f2ed02cba303fb9f74b201c346";

    @Override
    Notifier create(EgressPolicy egress, ReceiversConfig config) {
        return new PagerDutyNotifier(vertx, egress, config);
    }

    @Override
    ObjectNode settings(String url) {
        return EventJson.mapper()
                .createObjectNode()
                .put("routingKey", ROUTING_KEY)
                .put("url", url);
    }

    @Override
    int successStatus() {
        return 202;
    }

    @Override
    String successBody() {
        return "{\"status\": \"success\", \"message\": \"Event processed\", \"dedup_key\": \"x\"}";
    }

    @Test
    void firingGroupTriggersOneIncident() throws Exception {
        fake.answer(202, successBody());

        send(TestNotifications.firing());

        JsonNode expected = EventJson.mapper().readTree("""
                {"routing_key": "R0UT1NGKEY0000000000000000000000",
                 "event_action": "trigger",
                 "dedup_key": "%s",
                 "payload": {
                   "summary": "[FIRING:2] eval-pass-rate-drop support-rag: Eval pass rate for support-rag fell to 0.71 (baseline 0.9) (and 1 more)",
                   "source": "loupe",
                   "severity": "critical",
                   "timestamp": "2026-11-27T10:00:00Z",
                   "component": "support-rag",
                   "group": "team-ml-quality",
                   "class": "eval-pass-rate-drop",
                   "custom_details": {
                     "firing": 2,
                     "resolved": 0,
                     "alerts": [
                       {"fingerprint": "fp-json-valid", "status": "firing",
                        "summary": "Eval pass rate for support-rag fell to 0.71 (baseline 0.9)",
                        "labels": {"alertname": "eval-pass-rate-drop", "evaluator": "json_valid", "feature": "support-rag",
                                   "owner": "team-ml-quality", "severity": "critical"},
                        "value": "0.71", "threshold": "0.8", "baseline": "0.9",
                        "runbookUrl": "https://docs.loupe.dev/runbooks/eval-pass-rate-drop.md",
                        "startsAt": "2026-11-27T10:00:00Z"},
                       {"fingerprint": "fp-regex-absent", "status": "firing",
                        "summary": "Pass rate <b>& fell for <!channel>",
                        "labels": {"alertname": "eval-pass-rate-drop", "evaluator": "regex_absent<&>", "feature": "support-rag",
                                   "owner": "team-ml-quality", "severity": "critical"},
                        "value": "50", "threshold": "0.0000001",
                        "runbookUrl": "https://docs.loupe.dev/runbooks/eval-pass-rate-drop.md",
                        "startsAt": "2026-11-27T10:01:00Z"}
                     ]
                   }
                 },
                 "links": [{"href": "https://docs.loupe.dev/runbooks/eval-pass-rate-drop.md", "text": "Runbook"}],
                 "client": "Loupe",
                 "client_url": "http://localhost:8084/alerts"}
                """.formatted(DEDUP_KEY_VALUE));
        assertThat(fake.take().json()).isEqualTo(expected);
    }

    @Test
    void resolvedGroupResolvesTheSameIncident() throws Exception {
        fake.answer(202, successBody());

        send(TestNotifications.resolved());

        assertThat(fake.take().json()).isEqualTo(EventJson.mapper().readTree("""
                {"routing_key": "R0UT1NGKEY0000000000000000000000", "event_action": "resolve", "dedup_key": "%s"}""".formatted(DEDUP_KEY_VALUE)));
    }

    @Test
    void acknowledgementAcknowledgesTheSameIncident() throws Exception {
        fake.answer(202, successBody());

        Delivery delivery = send(TestNotifications.acknowledged("alice"));

        assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.DELIVERED);
        assertThat(fake.take().json()).isEqualTo(EventJson.mapper().readTree("""
                {"routing_key": "R0UT1NGKEY0000000000000000000000", "event_action": "acknowledge", "dedup_key": "%s"}""".formatted(DEDUP_KEY_VALUE)));
    }

    @Test
    void dedupKeyDependsOnProjectReceiverAndGroupOnly() {
        GroupNotification firing = TestNotifications.firing();
        GroupNotification otherProject = new GroupNotification(
                "p-other",
                firing.receiver(),
                firing.groupKey(),
                firing.groupLabels(),
                firing.status(),
                firing.alerts(),
                firing.externalUrl(),
                firing.action());

        assertThat(PagerDutyNotifier.dedupKey(firing))
                .isEqualTo(DEDUP_KEY_VALUE)
                .isEqualTo(PagerDutyNotifier.dedupKey(TestNotifications.resolved()))
                .isNotEqualTo(PagerDutyNotifier.dedupKey(otherProject));
    }

    @Test
    void summaryIsCutAt1024Characters() {
        ObjectNode event = PagerDutyNotifier.event(
                ROUTING_KEY,
                TestNotifications.group(
                        AlertSnapshot.FIRING, List.of(withSummary("x".repeat(5000))), GroupNotification.Action.NOTIFY));

        assertThat(event.at("/payload/summary").asText()).hasSize(1024).endsWith("…");
    }

    @ParameterizedTest
    @CsvSource({
        "critical, critical",
        "CRITICAL, critical",
        "error, error",
        "high, error",
        "warning, warning",
        "info, info",
        "page, info"
    })
    void severityIsMappedToPagerDutysFour(String loupe, String pagerDuty) {
        assertThat(PagerDutyNotifier.severity(loupe)).isEqualTo(pagerDuty);
    }

    /** The URL is optional here: it defaults to PagerDuty's events endpoint. */
    @Test
    @Override
    void validationOfAMissingUrl() {
        notifier.validate(EventJson.mapper().createObjectNode().put("routingKey", ROUTING_KEY));
        assertThat(PagerDutyNotifier.DEFAULT_URL).isEqualTo("https://events.pagerduty.com/v2/enqueue");
    }

    @Test
    void validationRequiresARoutingKeyWithoutEchoingIt() {
        assertThatThrownBy(() -> notifier.validate(EventJson.mapper().createObjectNode()))
                .isInstanceOfSatisfying(
                        ProblemException.class,
                        e -> assertThat(e.toProblem().field()).isEqualTo("settings.routingKey"));
        assertThatThrownBy(() ->
                        notifier.validate(EventJson.mapper().createObjectNode().put("routingKey", "has space secret")))
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.toProblem().field()).isEqualTo("settings.routingKey");
                    assertThat(e.getMessage()).doesNotContain("secret");
                });
    }

    private static AlertSnapshot withSummary(String summary) {
        AlertSnapshot a = TestNotifications.jsonValid(AlertSnapshot.FIRING);
        return new AlertSnapshot(
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
                summary,
                a.value(),
                a.threshold(),
                a.baseline(),
                null);
    }
}
