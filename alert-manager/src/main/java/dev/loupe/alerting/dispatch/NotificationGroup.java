package dev.loupe.alerting.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * What was last sent for one group to one receiver ({@code alerting.notification_groups}), so a restart
 * neither re-sends a notification nor forgets a resolve, and when a failed delivery is tried again.
 */
public record NotificationGroup(
        String receiver,
        String groupKey,
        Instant firstSeenAt,
        Instant lastSentAt,
        Set<String> sentFiring,
        Set<String> sentAcked,
        Instant nextAttemptAt,
        int attempts) {

    /**
     * When this group is due, Alertmanager's way: {@code groupWait} after it formed for its first notification;
     * {@code groupInterval} after the last one when its firing set changed; {@code repeatInterval} after the
     * last one while it keeps firing unchanged and not everything in it is acknowledged; else never (null).
     */
    public Instant due(
            Set<String> firing,
            Set<String> acked,
            Duration groupWait,
            Duration groupInterval,
            Duration repeatInterval) {
        Instant due;
        if (lastSentAt == null) {
            due = firing.isEmpty() ? null : firstSeenAt.plus(groupWait);
        } else if (!firing.equals(sentFiring)) {
            due = lastSentAt.plus(groupInterval);
        } else if (!firing.isEmpty() && !acked.containsAll(firing)) {
            due = lastSentAt.plus(repeatInterval);
        } else {
            due = null;
        }
        if (due != null && nextAttemptAt != null && nextAttemptAt.isAfter(due)) {
            return nextAttemptAt;
        }
        return due;
    }

    /** The back-off after {@code attempts} failed deliveries: 1 s doubling to 5 min, or the receiver's Retry-After. */
    public static Duration backoff(int attempts, Duration retryAfter) {
        Duration doubling = Duration.ofSeconds(1L << Math.min(8, Math.max(0, attempts - 1)));
        Duration capped = doubling.compareTo(Duration.ofMinutes(5)) > 0 ? Duration.ofMinutes(5) : doubling;
        return retryAfter != null && retryAfter.compareTo(capped) > 0 ? retryAfter : capped;
    }
}
