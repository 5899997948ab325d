package dev.loupe.evals.results;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.EvalTrigger;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.evals.EvalsConfig;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Builds {@link EvalResult}s: an id derived from what makes a result unique (project, decision, evaluator,
 * version, trigger), so a re-published result is recognised downstream, and dimensions copied from the
 * decision's metadata so scores can be broken down by topic, difficulty or customer tier.
 */
@Singleton
public class EvalResults {
    static final int MAX_DIMENSION_VALUE = 128;

    private final Set<String> dimensionKeys;
    private final int maxDimensions;

    public EvalResults(EvalsConfig config) {
        this.dimensionKeys = config.dimensionKeys().map(Set::copyOf).orElse(Set.of());
        this.maxDimensions = config.maxDimensions();
    }

    public EvalResult result(
            DecisionRecord decision,
            String evaluator,
            String version,
            double score,
            double threshold,
            String reason,
            EvalTrigger trigger,
            Instant evaluatedAt) {
        return new EvalResult(
                SchemaVersions.CURRENT,
                decision.projectId(),
                evalId(decision.projectId(), decision.decisionId(), evaluator, version, trigger),
                decision.decisionId(),
                decision.feature(),
                evaluator,
                version,
                score,
                score >= threshold,
                reason,
                trigger,
                dimensions(decision),
                // what PostgreSQL keeps: a result read back from its columns equals the one first published
                evaluatedAt.truncatedTo(ChronoUnit.MICROS));
    }

    public static String evalId(
            String projectId, String decisionId, String evaluator, String version, EvalTrigger trigger) {
        String identity = String.join("\u0000", List.of(projectId, decisionId, evaluator, version, trigger.name()));
        return UUID.nameUUIDFromBytes(identity.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The decision's metadata (allow-listed, sorted, bounded), plus its model and prompt version. */
    public Map<String, String> dimensions(DecisionRecord decision) {
        Map<String, String> dimensions = new LinkedHashMap<>();
        if (decision.metadata() != null) {
            for (Map.Entry<String, String> entry : new TreeMap<>(decision.metadata()).entrySet()) {
                if (dimensions.size() >= maxDimensions) {
                    break;
                }
                if (entry.getValue() != null && (dimensionKeys.isEmpty() || dimensionKeys.contains(entry.getKey()))) {
                    dimensions.put(entry.getKey(), bounded(entry.getValue()));
                }
            }
        }
        if (decision.model() != null && dimensions.size() < maxDimensions) {
            dimensions.putIfAbsent("model", bounded(decision.model()));
        }
        if (decision.promptVersion() != null && dimensions.size() < maxDimensions) {
            dimensions.putIfAbsent("promptVersion", bounded(decision.promptVersion()));
        }
        return dimensions;
    }

    private static String bounded(String value) {
        return value.length() <= MAX_DIMENSION_VALUE ? value : value.substring(0, MAX_DIMENSION_VALUE);
    }
}
