package dev.loupe.alerting.notify;

import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;

/**
 * The receiver types Loupe speaks, by name. An explicit list rather than a CDI lookup of every {@link Notifier},
 * so a native image needs no reflection and a new type is one line here.
 */
@Singleton
public class Notifiers {
    private final List<Notifier> all;

    public Notifiers(
            WebhookNotifier webhook,
            SlackNotifier slack,
            PagerDutyNotifier pagerDuty,
            EmailNotifier email,
            AlertmanagerNotifier alertmanager) {
        this.all = List.of(webhook, slack, pagerDuty, email, alertmanager);
    }

    /** The notifier of a receiver type ({@code webhook}, {@code slack}…), empty for an unknown one. */
    public Optional<Notifier> find(String type) {
        return all.stream().filter(n -> n.type().equals(type)).findFirst();
    }

    /** Every type, in a stable order (for error messages and the API's documentation). */
    public List<String> types() {
        return all.stream().map(Notifier::type).toList();
    }
}
