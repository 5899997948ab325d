package dev.loupe.evals.api;

import dev.loupe.common.http.ProblemException;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import dev.loupe.evals.features.EvaluationPlans;
import dev.loupe.evals.features.FeatureActivity;
import dev.loupe.evals.features.FeatureEvaluation;
import dev.loupe.evals.features.FeatureEvaluationView;
import dev.loupe.evals.features.PlanKey;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.logging.Logger;

/**
 * {@code /v1/features/{feature}/evaluation}: a feature's sampling rate, per-minute cap, always-include rules
 * and evaluator set, per project. PUT (admin) replaces them after validating every evaluator's config; GET
 * (read) shows what applies, the defaults included, and what the evaluators did with the last hour's decisions
 * ({@code activity}: sampled, judged, not applicable and why); PUT answers {@code warnings} for every evaluator that
 * would have applied to none of the feature's decisions of the last hour; DELETE (admin) returns the feature to the
 * defaults.
 */
@Path("/v1/features/{feature}/evaluation")
public class FeatureEvaluationResource {
    private static final Logger LOG = Logger.getLogger(FeatureEvaluationResource.class);
    static final int MAX_FEATURE = 256;

    private final EvaluationPlans plans;
    private final FeatureActivity activity;
    private final Caller caller;

    public FeatureEvaluationResource(EvaluationPlans plans, FeatureActivity activity, Caller caller) {
        this.plans = plans;
        this.activity = activity;
        this.caller = caller;
    }

    @PUT
    @RolesAllowed(Scope.ADMIN_ROLE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<FeatureEvaluationView> set(@PathParam("feature") String feature, FeatureEvaluation body) {
        PlanKey key = key(feature);
        if (body == null) {
            throw ProblemException.badRequest("body", "a JSON object with samplingRate, maxPerMinute and evaluators");
        }
        return plans.save(key, body, caller.keyId())
                .invoke(plan -> LOG.infof(
                        "evaluation of %s/%s set by key %s: rate %s, cap %d/min, evaluators %s",
                        key.projectId(),
                        key.feature(),
                        caller.keyId(),
                        plan.samplingRate(),
                        plan.maxPerMinute(),
                        plan.specs().stream().map(s -> s.name()).toList()))
                .chain(plan -> activity.wouldSkipAll(key, plan).map(warnings -> {
                    warnings.forEach(w -> LOG.infof("evaluation of %s/%s: %s", key.projectId(), key.feature(), w));
                    return plan.view().withWarnings(warnings);
                }));
    }

    @GET
    @RolesAllowed(Scope.READ_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<FeatureEvaluationView> get(@PathParam("feature") String feature) {
        PlanKey key = key(feature);
        return plans.plan(key)
                .chain(plan -> activity.lastHour(key, plan).map(a -> plan.view().withActivity(a)));
    }

    @DELETE
    @RolesAllowed(Scope.ADMIN_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<FeatureEvaluationView> reset(@PathParam("feature") String feature) {
        PlanKey key = key(feature);
        return plans.reset(key).chain(() -> plans.plan(key)).map(plan -> plan.view());
    }

    private PlanKey key(String feature) {
        if (feature == null || feature.isBlank() || feature.length() > MAX_FEATURE || feature.indexOf('\u0000') >= 0) {
            throw ProblemException.badRequest("feature", "a feature name of 1.." + MAX_FEATURE + " characters");
        }
        return new PlanKey(caller.projectId(), feature);
    }
}
