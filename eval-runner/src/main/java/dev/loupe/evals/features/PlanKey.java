package dev.loupe.evals.features;

/** Which plan applies: a project's feature ({@code ""} for decisions without a feature). */
public record PlanKey(String projectId, String feature) {
    public static PlanKey of(String projectId, String feature) {
        return new PlanKey(projectId, feature == null ? "" : feature);
    }
}
