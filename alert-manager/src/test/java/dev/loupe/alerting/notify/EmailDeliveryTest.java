package dev.loupe.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The email receiver through the real Quarkus mailer into GreenMail, and every notifier resolved by CDI. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(GreenMailTestResource.class)
class EmailDeliveryTest {
    GreenMail greenMail;

    @Inject
    Notifiers notifiers;

    @BeforeEach
    void emptyMailbox() throws Exception {
        greenMail.purgeEmailFromAllMailboxes();
    }

    @Test
    void firingGroupArrivesAsOneMailPerRecipientWithEscapedHtml() throws Exception {
        var settings = EventJson.mapper().createObjectNode();
        settings.putArray("to").add("oncall@example.com").add("ml-quality@example.org");
        Notifier email = notifiers.find("email").orElseThrow();
        email.validate(settings);

        Delivery delivery = email.send(
                        new ReceiverConfig(TestNotifications.PROJECT, TestNotifications.RECEIVER, "email", settings),
                        TestNotifications.firing())
                .await()
                .atMost(Duration.ofSeconds(20));

        assertThat(delivery.outcome()).as(delivery.detail()).isEqualTo(Delivery.Outcome.DELIVERED);
        assertThat(greenMail.waitForIncomingEmail(10_000, 2)).isTrue();
        // one mail addressed to both, one copy in each mailbox
        MimeMessage[] received = greenMail.getReceivedMessages();
        assertThat(received).hasSize(2);
        MimeMessage mail = received[0];
        assertThat(recipients(mail)).containsExactly("oncall@example.com", "ml-quality@example.org");
        assertThat(mail.getSubject()).isEqualTo("[FIRING:2] eval-pass-rate-drop support-rag");
        assertThat(mail.getFrom()[0].toString()).isEqualTo("loupe-alerts@loupe.test");
        Map<String, String> bodies = bodies(mail);
        assertThat(bodies.get("text/plain"))
                .contains(
                        "Pass rate <b>& fell for <!channel>",
                        "owner: team-ml-quality",
                        "value: 0.71, threshold: 0.8, baseline: 0.9");
        assertThat(bodies.get("text/html"))
                .contains("Pass rate &lt;b&gt;&amp; fell for &lt;!channel&gt;")
                .doesNotContain("<b>&");
    }

    @Test
    void everyReceiverTypeHasANotifier() {
        assertThat(notifiers.types()).containsExactly("webhook", "slack", "pagerduty", "email", "alertmanager");
        notifiers
                .types()
                .forEach(type -> assertThat(notifiers.find(type))
                        .get()
                        .extracting(Notifier::type)
                        .isEqualTo(type));
        assertThat(notifiers.find("fax")).isEmpty();
    }

    private static List<String> recipients(MimeMessage message) throws Exception {
        return Arrays.stream(message.getAllRecipients()).map(Address::toString).toList();
    }

    /** Content type (without parameters) → decoded text, over the whole MIME tree. */
    private static Map<String, String> bodies(Part part) throws Exception {
        Map<String, String> bodies = new HashMap<>();
        Object content = part.getContent();
        if (content instanceof Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart child = multipart.getBodyPart(i);
                bodies.putAll(bodies(child));
            }
        } else if (content instanceof String text) {
            bodies.put(part.getContentType().split(";")[0].trim().toLowerCase(), text);
        }
        return bodies;
    }
}
