package dev.loupe.alerting.dispatch;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A node of a project's route tree, Alertmanager-style ({@code PUT /v1/routes}): alerts whose labels equal
 * every {@code matchers} entry go down this node; the deepest matching node names the receiver and the
 * grouping. Children are tried in order; the first that matches wins unless it says {@code continue}.
 * Unset fields are inherited from the parent; the root's defaults are Alertmanager's (receiver
 * {@code default}, groupBy alertname, 30 s, 5 min, 4 h).
 */
@RegisterForReflection
public record Route(
        String receiver,
        Map<String, String> matchers,
        List<String> groupBy,
        @JsonFormat(shape = JsonFormat.Shape.STRING) Duration groupWait,
        @JsonFormat(shape = JsonFormat.Shape.STRING) Duration groupInterval,
        @JsonFormat(shape = JsonFormat.Shape.STRING) Duration repeatInterval,
        @JsonProperty("continue") Boolean continueMatching,
        List<Route> routes) {

    public static final Route DEFAULT = new Route(
            "default",
            Map.of(),
            List.of("alertname"),
            Duration.ofSeconds(30),
            Duration.ofMinutes(5),
            Duration.ofHours(4),
            false,
            List.of());

    /** Where one alert goes: a receiver and how its group is formed and timed. */
    public record Target(
            String receiver,
            List<String> groupBy,
            Duration groupWait,
            Duration groupInterval,
            Duration repeatInterval) {}

    /** Every target an alert with these labels is routed to (more than one only through {@code continue}). */
    public List<Target> targets(Map<String, String> labels) {
        List<Target> found = new ArrayList<>();
        walk(this, DEFAULT, labels, found);
        return found;
    }

    private static boolean walk(Route node, Route inherited, Map<String, String> labels, List<Target> found) {
        Route effective = node.inherit(inherited);
        boolean matchedChild = false;
        for (Route child : node.routes() == null ? List.<Route>of() : node.routes()) {
            if (child.matches(labels)) {
                walk(child, effective, labels, found);
                matchedChild = true;
                if (!Boolean.TRUE.equals(child.continueMatching())) {
                    break;
                }
            }
        }
        if (!matchedChild) {
            found.add(new Target(
                    effective.receiver(),
                    effective.groupBy(),
                    effective.groupWait(),
                    effective.groupInterval(),
                    effective.repeatInterval()));
        }
        return true;
    }

    boolean matches(Map<String, String> labels) {
        return matchers == null
                || matchers.entrySet().stream().allMatch(m -> m.getValue().equals(labels.get(m.getKey())));
    }

    Route inherit(Route parent) {
        return new Route(
                receiver != null ? receiver : parent.receiver(),
                matchers,
                groupBy != null ? groupBy : parent.groupBy(),
                groupWait != null ? groupWait : parent.groupWait(),
                groupInterval != null ? groupInterval : parent.groupInterval(),
                repeatInterval != null ? repeatInterval : parent.repeatInterval(),
                continueMatching,
                routes);
    }
}
