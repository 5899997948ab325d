package dev.loupe.evals.features;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** One evaluator in a feature's set: its name, its config (an object, may be absent) and pass threshold. */
@RegisterForReflection
public record EvaluatorSpec(String name, JsonNode config, Double threshold) {}
