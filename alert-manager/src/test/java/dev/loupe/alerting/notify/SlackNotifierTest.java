package dev.loupe.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.common.egress.EgressPolicy;
import dev.loupe.contracts.json.EventJson;
import org.junit.jupiter.api.Test;

class SlackNotifierTest extends HttpNotifierContract {
    @Override
    Notifier create(EgressPolicy egress, ReceiversConfig config) {
        return new SlackNotifier(vertx, egress, config);
    }

    @Override
    ObjectNode settings(String url) {
        return EventJson.mapper().createObjectNode().put("url", url);
    }

    @Override
    String successBody() {
        return "ok";
    }

    @Test
    void firingGroupIsOneMessageWithASectionPerAlertAndUserTextEscaped() throws Exception {
        fake.answer(200, "ok");

        send(TestNotifications.firing());

        JsonNode expected = EventJson.mapper().readTree("""
                {"text": "[FIRING:2] eval-pass-rate-drop support-rag",
                 "blocks": [
                   {"type": "header", "text": {"type": "plain_text", "emoji": true, "text": ":rotating_light: FIRING · 2 alerts"}},
                   {"type": "section", "text": {"type": "mrkdwn",
                     "text": "*eval-pass-rate-drop support-rag*  <http://localhost:8084/alerts|Open in Loupe>"}},
                   {"type": "section", "text": {"type": "mrkdwn",
                     "text": ":red_circle: *Eval pass rate for support-rag fell to 0.71 (baseline 0.9)*\\nSeverity: critical · Owner: team-ml-quality\\nValue: 0.71 · Threshold: 0.8 · Baseline: 0.9\\n<https://docs.loupe.dev/runbooks/eval-pass-rate-drop.md|Runbook>"}},
                   {"type": "section", "text": {"type": "mrkdwn",
                     "text": ":red_circle: *Pass rate &lt;b&gt;&amp; fell for &lt;!channel&gt;*\\nSeverity: critical · Owner: team-ml-quality\\nValue: 50 · Threshold: 0.0000001 · Baseline: –\\n<https://docs.loupe.dev/runbooks/eval-pass-rate-drop.md|Runbook>"}}
                 ]}
                """);
        assertThat(fake.take().json()).isEqualTo(expected);
    }

    @Test
    void resolvedGroupSaysResolved() {
        fake.answer(200, "ok");

        send(TestNotifications.resolved());

        JsonNode received = fake.take().json();
        assertThat(received.get("text").asText()).isEqualTo("[RESOLVED] eval-pass-rate-drop support-rag");
        assertThat(received.at("/blocks/0/text/text").asText()).isEqualTo(":white_check_mark: RESOLVED · 2 alerts");
        assertThat(received.at("/blocks/2/text/text").asText()).startsWith(":large_green_circle: ");
    }

    @Test
    void moreThanTenAlertsAreCountedNotListed() {
        fake.answer(200, "ok");

        send(TestNotifications.firingMany(12));

        JsonNode blocks = fake.take().json().get("blocks");
        assertThat(blocks).hasSize(2 + SlackNotifier.MAX_ALERTS + 1);
        assertThat(blocks.get(11).at("/text/text").asText()).contains("alert number 9");
        assertThat(blocks.get(12).get("type").asText()).isEqualTo("context");
        assertThat(blocks.get(12).at("/elements/0/text").asText()).isEqualTo("and 2 more");
    }

    @Test
    void acknowledgementIsAShortMessageNamingWhoAcknowledged() throws Exception {
        fake.answer(200, "ok");

        Delivery delivery = send(TestNotifications.acknowledged("alice <@U123>"));

        assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.DELIVERED);
        assertThat(fake.take().json()).isEqualTo(EventJson.mapper().readTree("""
                {"text": ":eyes: eval-pass-rate-drop support-rag acknowledged by alice &lt;@U123&gt;"}"""));
    }

    @Test
    void okAnswerWithoutOkBodyIsNotDelivered() {
        fake.answer(200, "<html>captive portal</html>");

        Delivery delivery = send(TestNotifications.firing());

        assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.FAILED);
        assertThat(delivery.detail()).contains("200").contains("captive portal");
    }

    @Test
    void linkTextCannotBreakOutOfTheLink() {
        assertThat(SlackNotifier.link("https://x.example/a|b>c&d", "Runbook"))
                .isEqualTo("<https://x.example/a%7Cb&gt;c&amp;d|Runbook>");
    }
}
