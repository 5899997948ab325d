package dev.loupe.evals.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;

/** The shapes of the dataset API ({@code /v1/datasets}), registered for reflection for native images. */
public final class DatasetModels {
    private DatasetModels() {}

    /** One regression case: the input, what the model said, what the user said it should have said. */
    @RegisterForReflection
    public record RegressionCase(
            String caseId,
            String dataset,
            String inputHash,
            String input,
            String decisionId,
            String feedbackId,
            String originalOutput,
            String expectedOutput,
            CaseContext context,
            Instant correctedAt,
            Instant createdAt,
            Instant updatedAt) {}

    @RegisterForReflection
    public record DatasetSummary(String name, long cases, Instant updatedAt, RunSummary lastRun) {}

    @RegisterForReflection
    public record DatasetList(List<DatasetSummary> datasets) {}

    @RegisterForReflection
    public record CasePage(String dataset, List<RegressionCase> cases, String next) {}

    /** {@code POST /v1/datasets/{name}/runs}: candidate outputs for (some of) the cases. */
    @RegisterForReflection
    public record RunRequest(String label, String model, String promptVersion, List<CandidateOutput> outputs) {}

    @RegisterForReflection
    public record CandidateOutput(String caseId, String output, JsonNode parsedOutput) {}

    @RegisterForReflection
    public record CaseEvaluation(
            String evaluator, String evaluatorVersion, double score, boolean passed, String reason) {}

    @RegisterForReflection
    public record CaseResult(String caseId, boolean passed, List<CaseEvaluation> evaluations) {}

    @RegisterForReflection
    public record Skipped(String evaluator, String reason) {}

    /** How a run differs from the run before it on the same dataset. */
    @RegisterForReflection
    public record Comparison(
            String previousRunId, Double previousPassRate, List<String> newlyFailing, List<String> newlyPassing) {}

    @RegisterForReflection
    public record RunSummary(
            String runId,
            String dataset,
            String label,
            String model,
            String promptVersion,
            Instant createdAt,
            int cases,
            int scored,
            int passed,
            Double passRate) {}

    @RegisterForReflection
    public record RunList(String dataset, List<RunSummary> runs) {}

    /** A run in full: its summary, the per-case results, what was not scored and why. */
    @RegisterForReflection
    public record Run(
            String runId,
            String dataset,
            String label,
            String model,
            String promptVersion,
            Instant createdAt,
            int cases,
            int scored,
            int passed,
            Double passRate,
            List<String> missing,
            List<Skipped> skipped,
            Comparison comparison,
            List<CaseResult> results) {}

    /** What {@code evals.dataset_runs.results} holds. */
    @RegisterForReflection
    public record StoredResults(
            List<CaseResult> results, List<String> missing, List<Skipped> skipped, Comparison comparison) {}
}
