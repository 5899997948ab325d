package dev.loupe.alerting.dispatch;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A silence ({@code POST /v1/silences}, Alertmanager's shape): while {@code startsAt <= now < endsAt}, alerts
 * whose labels satisfy every matcher are not notified. They still change state and are published.
 */
@RegisterForReflection
public record Silence(
        String id, List<Matcher> matchers, Instant startsAt, Instant endsAt, String createdBy, String comment) {

    /** {@code name} equals (or with {@code isRegex}, fully matches) {@code value}; {@code isEqual: false} negates. */
    @RegisterForReflection
    public record Matcher(String name, String value, Boolean isRegex, Boolean isEqual) {
        boolean matches(Map<String, String> labels) {
            String actual = labels.getOrDefault(name, "");
            boolean hit = Boolean.TRUE.equals(isRegex)
                    ? Pattern.compile(value).matcher(actual).matches()
                    : value.equals(actual);
            return Boolean.FALSE.equals(isEqual) != hit;
        }
    }

    public boolean activeAt(Instant now) {
        return !now.isBefore(startsAt) && now.isBefore(endsAt);
    }

    public boolean silences(Map<String, String> labels, Instant now) {
        return activeAt(now) && matchers.stream().allMatch(m -> m.matches(labels));
    }
}
