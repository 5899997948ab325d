package dev.loupe.alerting.notify;

import java.util.List;
import java.util.Map;

/**
 * What one receiver is sent for one alert group, Alertmanager-style: the whole group every time.
 * {@code status} is {@code firing} when any alert of the group fires, else {@code resolved}.
 * {@code action}: {@code NOTIFY} (new, changed, repeated or resolved) or {@code ACKNOWLEDGE} (a person
 * acknowledged the group; only receivers that know acknowledgement, PagerDuty, act on it).
 */
public record GroupNotification(
        String projectId,
        String receiver,
        String groupKey,
        Map<String, String> groupLabels,
        String status,
        List<AlertSnapshot> alerts,
        String externalUrl,
        Action action) {
    public enum Action {
        NOTIFY,
        ACKNOWLEDGE
    }
}
