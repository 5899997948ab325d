package dev.loupe.alerting.rules;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An alert rule of one project, in the shape of docs/architecture.md#alert-rules ({@code PUT /v1/rules/{id}}): which metric
 * series it watches ({@code metric}, {@code filter} on dimensions, {@code groupBy} = one of the metric's
 * window dimension sets), when a window is in breach ({@code condition}), how long a breach must last
 * ({@code for}, on window time) and how long it keeps firing after recovery ({@code keepFiringFor}), and who
 * acts on it ({@code severity}, {@code owner}, {@code runbookUrl}, {@code summary}, {@code labels}).
 */
@RegisterForReflection
public record Rule(
        String id,
        String metric,
        Map<String, String> filter,
        List<String> groupBy,
        Condition condition,

        @JsonProperty("for") @JsonFormat(shape = JsonFormat.Shape.STRING)
        Duration pendingFor,

        @JsonFormat(shape = JsonFormat.Shape.STRING) Duration keepFiringFor,
        String severity,
        String owner,
        String runbookUrl,
        String summary,
        Map<String, String> labels,
        Boolean enabled) {

    public Rule withId(String newId) {
        return new Rule(
                newId,
                metric,
                filter,
                groupBy,
                condition,
                pendingFor,
                keepFiringFor,
                severity,
                owner,
                runbookUrl,
                summary,
                labels,
                enabled);
    }

    public boolean isEnabled() {
        return enabled == null || enabled;
    }
}
