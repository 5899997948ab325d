package dev.loupe.evals.api;

import dev.loupe.common.http.ProblemException;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import dev.loupe.evals.features.EvaluationPlans;
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
 * (read) shows what applies, the defaults included; DELETE (admin) returns the feature to the defaults.
 */
@Path("/v1/features/{feature}/evaluation")
public class FeatureEvaluationResource {
    private static final Logger LOG = Logger.getLogger(FeatureEvaluationResource.class);
    static final int MAX_FEATURE = 256;

    private final EvaluationPlans plans;
    private final Caller caller;

    public FeatureEvaluationResource(EvaluationPlans plans, Caller caller) {
        this.plans = plans;
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
                .map(plan -> plan.view());
    }

    @GET
    @RolesAllowed(Scope.READ_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<FeatureEvaluationView> get(@PathParam("feature") String feature) {
        return plans.plan(key(feature)).map(plan -> plan.view());
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
