package dev.loupe.alerting.notify;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;

/** Speaks one receiver type's wire format. One attempt per call; the dispatcher owns retries and back-off. */
public interface Notifier {
    /** {@code webhook}, {@code slack}, {@code pagerduty}, {@code email}, {@code alertmanager}. */
    String type();

    /**
     * Validates a receiver's settings when it is stored (required fields, URLs through the egress policy).
     *
     * @throws dev.loupe.common.http.ProblemException 400 naming the field ({@code settings.url})
     */
    void validate(JsonNode settings);

    /** One delivery attempt; never fails the Uni for a receiver's answer, only reports it as a {@link Delivery}. */
    Uni<Delivery> send(ReceiverConfig receiver, GroupNotification notification);
}
