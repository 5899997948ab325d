package dev.loupe.evals.evaluators;

import com.fasterxml.jackson.databind.JsonNode;

/** What every evaluator declares about itself, held once: name, version, description, config schema, threshold. */
public abstract class DescribedEvaluator implements Evaluator {
    private final String name;
    private final String version;
    private final String description;
    private final JsonNode configSchema;
    private final double defaultThreshold;

    /** Version "1", default threshold 1.0: a pass means the check held. */
    protected DescribedEvaluator(String name, String description, JsonNode configSchema) {
        this(name, "1", description, configSchema, 1.0);
    }

    protected DescribedEvaluator(
            String name, String version, String description, JsonNode configSchema, double defaultThreshold) {
        this.name = name;
        this.version = version;
        this.description = description;
        this.configSchema = configSchema;
        this.defaultThreshold = defaultThreshold;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String version() {
        return version;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final JsonNode configSchema() {
        return configSchema.deepCopy();
    }

    @Override
    public final double defaultThreshold() {
        return defaultThreshold;
    }
}
