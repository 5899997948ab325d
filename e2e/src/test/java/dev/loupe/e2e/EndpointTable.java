package dev.loupe.e2e;

import static dev.loupe.e2e.LoupeStack.AGGREGATOR;
import static dev.loupe.e2e.LoupeStack.ALERTS;
import static dev.loupe.e2e.LoupeStack.COLLECTOR;
import static dev.loupe.e2e.LoupeStack.EVALS;
import static dev.loupe.e2e.LoupeStack.FEEDBACK;

import dev.loupe.testing.TestSpans;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Every API endpoint of the suite as docs/architecture.md#apis and the service READMEs declare it: the roles that may call it,
 * the status a caller with one of them gets for the owner's own resource, and what another project's key must
 * get for that same resource. {@code AuthorizationMatrixIT} fails when a service exposes an endpoint missing here.
 */
final class EndpointTable {
    static final Set<String> ANY_KEY = Set.of("ingest", "feedback", "read", "admin");

    /** What another project's key gets for the owner's resource. */
    enum Cross {
        /** 404, exactly as for a resource that does not exist. */
        NOT_FOUND,
        /** 403: the operation names the project itself (keys of a project). */
        FORBIDDEN,
        /** The caller's own project is answered (a list, a setting, an ingest): never the owner's data. */
        OWN_PROJECT
    }

    /** One request: path (with query), body (null: none), content type. */
    record Request(String path, Object body, String contentType) {
        static Request of(String path) {
            return new Request(path, null, null);
        }

        static Request json(String path, Object body) {
            return new Request(path, body, "application/json");
        }
    }

    /** One endpoint: its template as the service's OpenAPI document names it, and how to call it. */
    record Endpoint(
            String service,
            String method,
            String template,
            Set<String> roles,
            int ok,
            Cross cross,
            Supplier<Request> request) {
        String key() {
            return service + " " + method + " " + template;
        }
    }

    private EndpointTable() {}

    static List<Endpoint> all(SecurityFixtures f) {
        Set<String> read = Set.of("read");
        Set<String> admin = Set.of("admin");
        Set<String> ingest = Set.of("ingest");
        Set<String> feedback = Set.of("feedback");
        Set<String> bootstrap = Set.of("bootstrap");
        String from = Instant.now().minus(1, ChronoUnit.DAYS).toString();
        String to = Instant.now().plus(1, ChronoUnit.MINUTES).toString();
        String ds = "/v1/datasets/" + f.dataset;
        List<Endpoint> e = new ArrayList<>();
        // trace-collector: the project comes from the key, so another project's key writes only its own
        e.add(new Endpoint(
                COLLECTOR,
                "POST",
                "/v1/spans",
                ingest,
                200,
                Cross.OWN_PROJECT,
                () -> Request.json("/v1/spans", TestSpans.batch(TestSpans.llm()))));
        e.add(new Endpoint(
                COLLECTOR,
                "POST",
                "/v1/decisions",
                ingest,
                200,
                Cross.OWN_PROJECT,
                () -> Request.json(
                        "/v1/decisions",
                        Map.of(
                                "decisions",
                                List.of(Map.of("decisionId", "d-m-" + TestSpans.randomHex(6), "output", "ok"))))));
        e.add(new Endpoint(
                COLLECTOR,
                "POST",
                "/v1/traces",
                ingest,
                200,
                Cross.OWN_PROJECT,
                () -> Request.json("/v1/traces", Map.of("resourceSpans", List.of()))));
        // metrics-aggregator
        e.add(new Endpoint(
                AGGREGATOR,
                "GET",
                "/v1/metrics/{metric}",
                read,
                200,
                Cross.OWN_PROJECT,
                () -> Request.of("/v1/metrics/request_count?groupBy=feature&feature=" + f.feature)));
        e.add(new Endpoint(
                AGGREGATOR,
                "GET",
                "/v1/decisions",
                read,
                200,
                Cross.OWN_PROJECT,
                () -> Request.of("/v1/decisions?feature=" + f.feature)));
        e.add(new Endpoint(
                AGGREGATOR,
                "GET",
                "/v1/decisions/{decisionId}",
                read,
                200,
                Cross.NOT_FOUND,
                () -> Request.of("/v1/decisions/" + f.decisionId)));
        e.add(new Endpoint(
                AGGREGATOR,
                "GET",
                "/v1/traces/{traceId}",
                read,
                200,
                Cross.NOT_FOUND,
                () -> Request.of("/v1/traces/" + f.traceId)));
        // issue 26: the trace explorer (another project's key gets its own, empty lists and 404 for the owner's items)
        e.add(new Endpoint(
                AGGREGATOR,
                "GET",
                "/v1/traces",
                read,
                200,
                Cross.OWN_PROJECT,
                () -> Request.of("/v1/traces?feature=" + f.feature + "&" + SecurityFixtures.SPAN_DAY)));
        e.add(new Endpoint(
                AGGREGATOR,
                "GET",
                "/v1/search",
                read,
                200,
                Cross.OWN_PROJECT,
                () -> Request.of("/v1/search?q=answer")));
        e.add(new Endpoint(
                AGGREGATOR,
                "GET",
                "/v1/sessions",
                read,
                200,
                Cross.OWN_PROJECT,
                () -> Request.of("/v1/sessions?" + SecurityFixtures.SPAN_DAY)));
        e.add(new Endpoint(
                AGGREGATOR,
                "GET",
                "/v1/sessions/{sessionId}",
                read,
                200,
                Cross.NOT_FOUND,
                () -> Request.of("/v1/sessions/" + f.session + "?" + SecurityFixtures.SPAN_DAY)));
        e.add(new Endpoint(
                AGGREGATOR,
                "GET",
                "/v1/users",
                read,
                200,
                Cross.OWN_PROJECT,
                () -> Request.of("/v1/users?" + SecurityFixtures.SPAN_DAY)));
        e.add(new Endpoint(
                AGGREGATOR,
                "GET",
                "/v1/users/{userId}",
                read,
                200,
                Cross.NOT_FOUND,
                () -> Request.of("/v1/users/" + f.storedUserId() + "?" + SecurityFixtures.SPAN_DAY)));
        e.add(new Endpoint(
                AGGREGATOR,
                "GET",
                "/v1/features/{feature}/evaluation",
                read,
                200,
                Cross.OWN_PROJECT,
                () -> Request.of("/v1/features/" + f.feature + "/evaluation")));
        e.add(new Endpoint(
                AGGREGATOR, "GET", "/v1/alerts", read, 200, Cross.OWN_PROJECT, () -> Request.of("/v1/alerts")));
        e.add(new Endpoint(
                AGGREGATOR,
                "GET",
                "/v1/alerts/{fingerprint}/history",
                read,
                200,
                Cross.NOT_FOUND,
                () -> Request.of("/v1/alerts/" + f.fingerprint + "/history")));
        e.add(new Endpoint(
                AGGREGATOR,
                "POST",
                "/v1/alerts/{fingerprint}/ack",
                admin,
                200,
                Cross.NOT_FOUND,
                () -> Request.json("/v1/alerts/" + f.fingerprint + "/ack", Map.of("by", "matrix"))));
        e.add(new Endpoint(
                AGGREGATOR,
                "POST",
                "/v1/silences",
                admin,
                201,
                Cross.OWN_PROJECT,
                () -> Request.json("/v1/silences", SecurityFixtures.silence("matrix"))));
        e.add(new Endpoint(
                AGGREGATOR, "GET", "/v1/rules", read, 200, Cross.OWN_PROJECT, () -> Request.of("/v1/rules")));
        e.add(new Endpoint(
                AGGREGATOR, "GET", "/v1/datasets", read, 200, Cross.OWN_PROJECT, () -> Request.of("/v1/datasets")));
        e.add(new Endpoint(
                AGGREGATOR,
                "GET",
                "/v1/datasets/{name}/export",
                read,
                200,
                Cross.NOT_FOUND,
                () -> Request.of(ds + "/export")));
        e.add(new Endpoint(
                AGGREGATOR,
                "POST",
                "/v1/projects",
                bootstrap,
                201,
                Cross.FORBIDDEN,
                () -> Request.json("/v1/projects", Map.of("name", "matrix-" + TestSpans.randomHex(4)))));
        e.add(new Endpoint(
                AGGREGATOR,
                "POST",
                "/v1/projects/{projectId}/keys",
                Set.of("bootstrap", "admin"),
                201,
                Cross.FORBIDDEN,
                () -> Request.json(
                        "/v1/projects/" + f.owner.id() + "/keys",
                        Map.of("name", "matrix", "scopes", List.of("read")))));
        e.add(new Endpoint(
                AGGREGATOR, "GET", "/v1/whoami", ANY_KEY, 200, Cross.OWN_PROJECT, () -> Request.of("/v1/whoami")));
        e.add(new Endpoint(
                AGGREGATOR, "GET", "/v1/freshness", read, 200, Cross.OWN_PROJECT, () -> Request.of("/v1/freshness")));
        e.add(new Endpoint(
                AGGREGATOR,
                "PUT",
                "/v1/prices/{provider}/{model}",
                admin,
                201,
                Cross.OWN_PROJECT,
                () -> Request.json(
                        "/v1/prices/openai/matrix-" + TestSpans.randomHex(6),
                        Map.of("inputPerMillion", 1, "outputPerMillion", 2))));
        e.add(new Endpoint(
                AGGREGATOR, "GET", "/v1/prices", read, 200, Cross.OWN_PROJECT, () -> Request.of("/v1/prices")));
        e.add(new Endpoint(
                AGGREGATOR,
                "GET",
                "/v1/prices/unpriced",
                read,
                200,
                Cross.OWN_PROJECT,
                () -> Request.of("/v1/prices/unpriced?from=" + from + "&to=" + to)));
        // eval-runner
        String plan = "/v1/features/" + f.feature + "/evaluation";
        Map<String, Object> planBody = Map.of("samplingRate", 1.0, "evaluators", List.of(Map.of("name", "json_valid")));
        e.add(new Endpoint(
                EVALS,
                "PUT",
                "/v1/features/{feature}/evaluation",
                admin,
                200,
                Cross.OWN_PROJECT,
                () -> Request.json(plan, planBody)));
        e.add(new Endpoint(
                EVALS,
                "GET",
                "/v1/features/{feature}/evaluation",
                read,
                200,
                Cross.OWN_PROJECT,
                () -> Request.of(plan)));
        e.add(new Endpoint(
                EVALS,
                "DELETE",
                "/v1/features/{feature}/evaluation",
                admin,
                200,
                Cross.OWN_PROJECT,
                () -> Request.of(
                        fresh(f, "/v1/features/sec-delete-" + TestSpans.randomHex(4) + "/evaluation", planBody))));
        e.add(new Endpoint(
                EVALS, "GET", "/v1/evaluators", read, 200, Cross.OWN_PROJECT, () -> Request.of("/v1/evaluators")));
        e.add(new Endpoint(
                EVALS, "GET", "/v1/datasets", read, 200, Cross.OWN_PROJECT, () -> Request.of("/v1/datasets")));
        e.add(new Endpoint(
                EVALS,
                "GET",
                "/v1/datasets/{name}/cases",
                read,
                200,
                Cross.NOT_FOUND,
                () -> Request.of(ds + "/cases")));
        e.add(new Endpoint(
                EVALS,
                "GET",
                "/v1/datasets/{name}/export",
                read,
                200,
                Cross.NOT_FOUND,
                () -> Request.of(ds + "/export")));
        e.add(new Endpoint(
                EVALS,
                "POST",
                "/v1/datasets/{name}/runs",
                Set.of("ingest", "admin"),
                201,
                Cross.NOT_FOUND,
                () -> Request.json(
                        ds + "/runs", Map.of("outputs", List.of(Map.of("caseId", f.caseId, "output", "x"))))));
        e.add(new Endpoint(
                EVALS, "GET", "/v1/datasets/{name}/runs", read, 200, Cross.NOT_FOUND, () -> Request.of(ds + "/runs")));
        e.add(new Endpoint(
                EVALS,
                "GET",
                "/v1/datasets/{name}/runs/{runId}",
                read,
                200,
                Cross.NOT_FOUND,
                () -> Request.of(ds + "/runs/" + f.runId)));
        e.add(new Endpoint(
                EVALS,
                "POST",
                "/v1/evaluations",
                admin,
                200,
                Cross.NOT_FOUND,
                () -> Request.json("/v1/evaluations", Map.of("decisionId", f.decisionId))));
        // feedback-service: feedback is written to the key's project; reads answer only the caller's project
        e.add(new Endpoint(
                FEEDBACK,
                "POST",
                "/v1/feedback",
                feedback,
                202,
                Cross.OWN_PROJECT,
                () -> Request.json("/v1/feedback", Map.of("decisionId", f.decisionId, "signal", "thumbs_up"))));
        e.add(new Endpoint(
                FEEDBACK,
                "POST",
                "/v1/feedback/batch",
                feedback,
                200,
                Cross.OWN_PROJECT,
                () -> Request.json(
                        "/v1/feedback/batch",
                        Map.of("feedback", List.of(Map.of("decisionId", f.decisionId, "signal", "thumbs_up"))))));
        e.add(new Endpoint(
                FEEDBACK,
                "GET",
                "/v1/feedback",
                read,
                200,
                Cross.OWN_PROJECT,
                () -> Request.of("/v1/feedback?decisionId=" + f.decisionId)));
        // alert-manager
        e.add(new Endpoint(ALERTS, "GET", "/v1/alerts", read, 200, Cross.OWN_PROJECT, () -> Request.of("/v1/alerts")));
        e.add(new Endpoint(
                ALERTS,
                "GET",
                "/v1/alerts/{fingerprint}",
                read,
                200,
                Cross.NOT_FOUND,
                () -> Request.of("/v1/alerts/" + f.fingerprint)));
        e.add(new Endpoint(
                ALERTS,
                "POST",
                "/v1/alerts/{fingerprint}/ack",
                admin,
                200,
                Cross.NOT_FOUND,
                () -> Request.json("/v1/alerts/" + f.fingerprint + "/ack", Map.of("by", "matrix"))));
        Map<String, Object> webhook = Map.of("type", "webhook", "url", "http://127.0.0.1:9/hook");
        e.add(new Endpoint(
                ALERTS,
                "PUT",
                "/v1/receivers/{name}",
                admin,
                200,
                Cross.OWN_PROJECT,
                () -> Request.json("/v1/receivers/matrix", webhook)));
        e.add(new Endpoint(
                ALERTS, "GET", "/v1/receivers", read, 200, Cross.OWN_PROJECT, () -> Request.of("/v1/receivers")));
        e.add(new Endpoint(
                ALERTS,
                "POST",
                "/v1/receivers/{name}/test",
                admin,
                200,
                Cross.NOT_FOUND,
                () -> Request.json("/v1/receivers/" + f.receiver + "/test", Map.of())));
        e.add(new Endpoint(
                ALERTS,
                "DELETE",
                "/v1/receivers/{name}",
                admin,
                204,
                Cross.NOT_FOUND,
                () -> Request.of(fresh(f, "/v1/receivers/del-" + TestSpans.randomHex(4), webhook))));
        e.add(new Endpoint(
                ALERTS,
                "PUT",
                "/v1/routes",
                admin,
                200,
                Cross.OWN_PROJECT,
                () -> Request.json("/v1/routes", Map.of("receiver", "default"))));
        e.add(new Endpoint(ALERTS, "GET", "/v1/routes", read, 200, Cross.OWN_PROJECT, () -> Request.of("/v1/routes")));
        e.add(new Endpoint(
                ALERTS,
                "POST",
                "/v1/silences",
                admin,
                201,
                Cross.OWN_PROJECT,
                () -> Request.json("/v1/silences", SecurityFixtures.silence("matrix"))));
        e.add(new Endpoint(
                ALERTS, "GET", "/v1/silences", read, 200, Cross.OWN_PROJECT, () -> Request.of("/v1/silences")));
        e.add(new Endpoint(
                ALERTS,
                "DELETE",
                "/v1/silences/{id}",
                admin,
                204,
                Cross.NOT_FOUND,
                () -> Request.of("/v1/silences/" + freshSilence(f))));
        e.add(new Endpoint(ALERTS, "GET", "/v1/rules", read, 200, Cross.OWN_PROJECT, () -> Request.of("/v1/rules")));
        e.add(new Endpoint(
                ALERTS,
                "GET",
                "/v1/rules/{id}",
                read,
                200,
                Cross.NOT_FOUND,
                () -> Request.of("/v1/rules/" + f.ruleId)));
        e.add(new Endpoint(
                ALERTS,
                "PUT",
                "/v1/rules/{id}",
                admin,
                201,
                Cross.OWN_PROJECT,
                () -> Request.json("/v1/rules/matrix-" + TestSpans.randomHex(4), SecurityFixtures.rule("matrix"))));
        e.add(new Endpoint(
                ALERTS,
                "DELETE",
                "/v1/rules/{id}",
                admin,
                204,
                Cross.NOT_FOUND,
                () -> Request.of(
                        fresh(f, "/v1/rules/del-" + TestSpans.randomHex(4), SecurityFixtures.rule("delete me")))));
        e.add(new Endpoint(
                ALERTS,
                "POST",
                "/v1/rules/{id}/validate",
                read,
                200,
                Cross.OWN_PROJECT,
                () -> Request.json("/v1/rules/x/validate", SecurityFixtures.rule("validate"))));
        e.add(new Endpoint(
                ALERTS,
                "POST",
                "/v1/rules/{id}/backtest",
                read,
                200,
                Cross.NOT_FOUND,
                () -> Request.of("/v1/rules/" + f.ruleId + "/backtest?from=" + from + "&to=" + to)));
        return e;
    }

    /** PUTs a resource of the owner's, so each caller of a DELETE has one of its own to delete. */
    private static String fresh(SecurityFixtures f, String path, Object body) {
        String service = path.startsWith("/v1/features") ? EVALS : ALERTS;
        f.call(f.owner.adminKey())
                .body(body)
                .put(f.url(service, path))
                .then()
                .statusCode(org.hamcrest.Matchers.either(org.hamcrest.Matchers.is(200))
                        .or(org.hamcrest.Matchers.is(201)));
        return path;
    }

    private static String freshSilence(SecurityFixtures f) {
        return f.call(f.owner.adminKey())
                .body(SecurityFixtures.silence("expire me"))
                .post(f.url(ALERTS, "/v1/silences"))
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }
}
