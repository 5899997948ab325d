package dev.loupe.alerting.notify;

import java.time.Duration;

/**
 * How one attempt to notify a receiver ended: delivered; worth retrying (429, 5xx, timeout, connection
 * refused; {@code after} is the receiver's Retry-After when it gave one, else null); or failed for good
 * (another 4xx: retrying would not help).
 */
@io.quarkus.runtime.annotations.RegisterForReflection
public record Delivery(Outcome outcome, Duration after, String detail) {
    public enum Outcome {
        DELIVERED,
        RETRY,
        FAILED
    }

    public static Delivery delivered(String detail) {
        return new Delivery(Outcome.DELIVERED, null, detail);
    }

    public static Delivery retry(Duration after, String detail) {
        return new Delivery(Outcome.RETRY, after, detail);
    }

    public static Delivery failed(String detail) {
        return new Delivery(Outcome.FAILED, null, detail);
    }
}
