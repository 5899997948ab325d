package dev.loupe.alerting.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.common.http.Problem;
import dev.loupe.common.http.ProblemException;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Mails the group to a list of addresses through the Quarkus mailer ({@code quarkus.mailer.*}: the SMTP server
 * is operator config, not a receiver setting, so the egress policy has nothing to check). Subject as Alertmanager
 * writes it, a plain-text and an HTML body. Settings: {@code {"to": ["…"]}}.
 */
@Singleton
public class EmailNotifier implements Notifier {
    public static final String TYPE = "email";
    static final int MAX_RECIPIENTS = 50;
    private static final Logger LOG = Logger.getLogger(EmailNotifier.class);
    /** Deliberately narrow: no display names, comments or line breaks, so an address cannot add a header. */
    private static final Pattern ADDRESS = Pattern.compile(
            "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");

    private final ReactiveMailer mailer;
    private final Duration timeout;

    public EmailNotifier(ReactiveMailer mailer, ReceiversConfig config) {
        this.mailer = mailer;
        this.timeout = config.timeout();
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void validate(JsonNode settings) {
        ReceiverSettings.requireObject(settings);
        recipients(settings);
    }

    @Override
    public Uni<Delivery> send(ReceiverConfig receiver, GroupNotification notification) {
        if (notification.action() == GroupNotification.Action.ACKNOWLEDGE) {
            return Uni.createFrom().item(Delivery.delivered("acknowledgement not sent by email"));
        }
        List<String> to;
        try {
            to = recipients(receiver.settings());
        } catch (ProblemException e) {
            return Uni.createFrom().item(ReceiverSettings.invalidSettings(e));
        }
        Mail mail = new Mail()
                .setTo(to)
                // a subject with a line break would start a new header
                .setSubject(AlertFormat.subject(notification).replaceAll("[\\r\\n]+", " "))
                .setText(EmailBodies.text(notification))
                .setHtml(EmailBodies.html(notification));
        return mailer.send(mail)
                .ifNoItem()
                .after(timeout)
                .failWith(TimeoutException::new)
                .map(done ->
                        Delivery.delivered("mailed to " + to.size() + (to.size() == 1 ? " address" : " addresses")))
                .onFailure()
                .recoverWithItem(e -> {
                    // addresses are personal data: the log names the receiver, not them
                    String why = e instanceof TimeoutException
                            ? "the mailer did not finish in time"
                            : "the mailer failed: " + ReceiverHttp.excerpt(String.valueOf(e.getMessage()));
                    LOG.infof("receiver %s (email) will be retried: %s", receiver.name(), why);
                    return Delivery.retry(null, why);
                });
    }

    /** The {@code to} list, each address checked; errors name the entry ({@code settings.to[1]}). */
    static List<String> recipients(JsonNode settings) {
        JsonNode to = settings == null ? null : settings.get("to");
        if (to == null || to.isNull()) {
            throw ProblemException.badRequest("settings.to", "is required");
        }
        if (!to.isArray() || to.isEmpty()) {
            throw ProblemException.badRequest("settings.to", "must be a non-empty list of email addresses");
        }
        if (to.size() > MAX_RECIPIENTS) {
            throw ProblemException.badRequest("settings.to", "may hold at most " + MAX_RECIPIENTS + " addresses");
        }
        List<String> addresses = new ArrayList<>();
        List<Problem.FieldError> errors = new ArrayList<>();
        for (int i = 0; i < to.size(); i++) {
            JsonNode address = to.get(i);
            if (address.isTextual()
                    && address.asText().length() <= 254
                    && ADDRESS.matcher(address.asText()).matches()) {
                addresses.add(address.asText());
            } else {
                errors.add(new Problem.FieldError("settings.to[" + i + "]", "is not an email address"));
            }
        }
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        return addresses;
    }
}
