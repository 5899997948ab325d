package dev.loupe.evals.evaluators;

import dev.loupe.evals.judge.LlmJudgeEvaluator;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every evaluator the runner knows, by name: an explicit list, no classpath scanning (native images). */
@Singleton
public class EvaluatorCatalog {
    private final Map<String, Evaluator> byName = new LinkedHashMap<>();

    public EvaluatorCatalog(LlmJudgeEvaluator judge) {
        List<Evaluator> all = new ArrayList<>(DeterministicEvaluators.all());
        all.add(judge);
        for (Evaluator evaluator : all) {
            if (byName.put(evaluator.name(), evaluator) != null) {
                throw new IllegalStateException("two evaluators are named " + evaluator.name());
            }
        }
    }

    public Optional<Evaluator> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<Evaluator> all() {
        return Collections.unmodifiableList(new ArrayList<>(byName.values()));
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }
}
