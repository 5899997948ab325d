package dev.loupe.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.common.http.ProblemException;
import dev.loupe.contracts.json.EventJson;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The email receiver with a stand-in mailer: settings, failure mapping, bodies. {@link EmailDeliveryTest} sends for real. */
class EmailNotifierTest {
    static final ReceiversConfig FAST = () -> Duration.ofMillis(300);
    final List<Mail> sent = new ArrayList<>();
    final ReactiveMailer recording = mails -> {
        sent.addAll(List.of(mails));
        return Uni.createFrom().voidItem();
    };

    static ObjectNode to(String... addresses) {
        ObjectNode settings = EventJson.mapper().createObjectNode();
        var list = settings.putArray("to");
        for (String address : addresses) {
            list.add(address);
        }
        return settings;
    }

    static ReceiverConfig receiver(ObjectNode settings) {
        return new ReceiverConfig(TestNotifications.PROJECT, TestNotifications.RECEIVER, EmailNotifier.TYPE, settings);
    }

    @Test
    void mailHasAlertmanagersSubjectAndBothBodies() {
        Delivery delivery = new EmailNotifier(recording, FAST)
                .send(receiver(to("oncall@example.com", "ml@example.org")), TestNotifications.firing())
                .await()
                .indefinitely();

        assertThat(delivery).isEqualTo(Delivery.delivered("mailed to 2 addresses"));
        Mail mail = sent.get(0);
        assertThat(mail.getTo()).containsExactly("oncall@example.com", "ml@example.org");
        assertThat(mail.getSubject()).isEqualTo("[FIRING:2] eval-pass-rate-drop support-rag");
        assertThat(mail.getText())
                .contains(
                        "Firing (2)",
                        "- Pass rate <b>& fell for <!channel>",
                        "value: 50, threshold: 0.0000001, baseline: –",
                        "runbook: " + TestNotifications.RUNBOOK);
        assertThat(mail.getHtml())
                .contains(
                        "<strong>Pass rate &lt;b&gt;&amp; fell for &lt;!channel&gt;</strong>",
                        "evaluator=regex_absent&lt;&amp;&gt;",
                        "<a href=\"" + TestNotifications.RUNBOOK + "\">Runbook</a>")
                .doesNotContain("<b>&", "<!channel>");
    }

    @Test
    void resolvedSubjectHasNoCount() {
        new EmailNotifier(recording, FAST)
                .send(receiver(to("oncall@example.com")), TestNotifications.resolved())
                .await()
                .indefinitely();

        assertThat(sent.get(0).getSubject()).isEqualTo("[RESOLVED] eval-pass-rate-drop support-rag");
        assertThat(sent.get(0).getText()).contains("Resolved (2)").doesNotContain("Firing");
    }

    @Test
    void mailerFailureIsRetried() {
        ReactiveMailer failing =
                mails -> Uni.createFrom().failure(new IOException("Connection refused: localhost/127.0.0.1:25"));

        Delivery delivery = new EmailNotifier(failing, FAST)
                .send(receiver(to("oncall@example.com")), TestNotifications.firing())
                .await()
                .indefinitely();

        assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.RETRY);
        assertThat(delivery.after()).isNull();
        assertThat(delivery.detail()).contains("Connection refused");
    }

    @Test
    void mailerThatHangsIsRetriedAfterTheTimeout() {
        ReactiveMailer hanging = mails -> Uni.createFrom().nothing();

        Delivery delivery = new EmailNotifier(hanging, FAST)
                .send(receiver(to("oncall@example.com")), TestNotifications.firing())
                .await()
                .atMost(Duration.ofSeconds(5));

        assertThat(delivery).isEqualTo(Delivery.retry(null, "the mailer did not finish in time"));
    }

    @Test
    void acknowledgementIsNotMailed() {
        Delivery delivery = new EmailNotifier(recording, FAST)
                .send(receiver(to("oncall@example.com")), TestNotifications.acknowledged("alice"))
                .await()
                .indefinitely();

        assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.DELIVERED);
        assertThat(sent).isEmpty();
    }

    @Test
    void validationNamesTheBadAddress() {
        EmailNotifier notifier = new EmailNotifier(recording, FAST);
        notifier.validate(to("oncall@example.com", "first.last+alerts@sub.example.co.uk"));

        assertThatThrownBy(() -> notifier.validate(to("oncall@example.com", "not an address")))
                .isInstanceOfSatisfying(
                        ProblemException.class,
                        e -> assertThat(e.toProblem().field()).isEqualTo("settings.to[1]"));
        assertThatThrownBy(() -> notifier.validate(to("x@example.com\r\nBcc: victim@example.com")))
                .isInstanceOfSatisfying(
                        ProblemException.class,
                        e -> assertThat(e.toProblem().field()).isEqualTo("settings.to[0]"));
        assertThatThrownBy(() -> notifier.validate(to()))
                .isInstanceOfSatisfying(
                        ProblemException.class,
                        e -> assertThat(e.toProblem().field()).isEqualTo("settings.to"));
        assertThatThrownBy(() ->
                        notifier.validate(EventJson.mapper().createObjectNode().put("to", "oncall@example.com")))
                .isInstanceOfSatisfying(
                        ProblemException.class,
                        e -> assertThat(e.toProblem().field()).isEqualTo("settings.to"));
        assertThatThrownBy(() -> notifier.validate(EventJson.mapper().createObjectNode()))
                .isInstanceOfSatisfying(
                        ProblemException.class,
                        e -> assertThat(e.toProblem().field()).isEqualTo("settings.to"));
    }

    @Test
    void storedSettingsThatNoLongerValidateFailWithoutSending() {
        Delivery delivery = new EmailNotifier(recording, FAST)
                .send(receiver(to("nope")), TestNotifications.firing())
                .await()
                .indefinitely();

        assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.FAILED);
        assertThat(delivery.detail()).contains("settings.to[0]");
        assertThat(sent).isEmpty();
    }
}
