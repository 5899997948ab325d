package dev.loupe.feedback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.common.http.BatchReader;
import dev.loupe.common.http.ItemRejection;
import dev.loupe.common.http.ProblemException;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import dev.loupe.contracts.wire.FeedbackInput;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code /v1/feedback}: takes feedback with the browser-safe feedback key, one at a time or as a back-fill batch,
 * and answers once it is committed in PostgreSQL (publication to Kafka follows through the outbox); lists a
 * decision's feedback with a read key.
 */
@Path("/v1/feedback")
public class FeedbackResource {
    public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";
    static final int DEFAULT_LIST = 100;
    static final int MAX_LIST = 1000;

    private final FeedbackIntake intake;
    private final FeedbackRepository repository;
    private final FeedbackConfig config;
    private final Caller caller;
    private final ObjectMapper mapper;

    public FeedbackResource(
            FeedbackIntake intake,
            FeedbackRepository repository,
            FeedbackConfig config,
            Caller caller,
            ObjectMapper mapper) {
        this.intake = intake;
        this.repository = repository;
        this.config = config;
        this.caller = caller;
        this.mapper = mapper;
    }

    @POST
    @RolesAllowed(Scope.FEEDBACK_ROLE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> submit(FeedbackInput body, @HeaderParam(IDEMPOTENCY_KEY_HEADER) String headerKey) {
        if (body == null) {
            throw ProblemException.badRequest("body", "expected a JSON object with decisionId and signal");
        }
        FeedbackInput input = withHeaderKey(body, headerKey);
        FeedbackValidator.firstProblem(input, config.maxTextLength(), Instant.now())
                .ifPresent(problem -> {
                    throw ProblemException.badRequest(problem.field(), problem.reason());
                });
        return intake.submit(caller.projectId(), input).map(outcome -> {
            Response.ResponseBuilder answer =
                    Response.accepted(new FeedbackAccepted(outcome.feedbackId(), outcome.decisionId()));
            if (outcome.replayed()) {
                answer.header(REPLAYED_HEADER, "true");
            }
            return answer.build();
        });
    }

    @POST
    @Path("batch")
    @RolesAllowed(Scope.FEEDBACK_ROLE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<FeedbackBatchResult> submitBatch(JsonNode body) {
        String projectId = caller.projectId();
        Instant now = Instant.now();
        BatchReader.Batch<FeedbackInput> batch = BatchReader.read(
                mapper,
                body,
                "feedback",
                config.maxBatch(),
                FeedbackInput.class,
                input -> FeedbackValidator.firstProblem(input, config.maxTextLength(), now));
        Uni<FeedbackIntake.BatchOutcome> stored = batch.items().isEmpty()
                ? Uni.createFrom().item(new FeedbackIntake.BatchOutcome(List.of(), List.of()))
                : intake.submitBatch(
                        projectId,
                        batch.items().stream()
                                .map(item -> new FeedbackIntake.Item(item.index(), item.value()))
                                .toList());
        return stored.map(outcome -> {
            List<ItemRejection> rejected = new ArrayList<>(batch.rejected());
            rejected.addAll(outcome.rejected());
            rejected.sort(Comparator.comparingInt(ItemRejection::index));
            List<FeedbackBatchResult.Item> items = outcome.items().stream()
                    .sorted(Comparator.comparingInt(FeedbackIntake.Outcome::index))
                    .map(o -> new FeedbackBatchResult.Item(o.index(), o.feedbackId(), o.decisionId(), o.replayed()))
                    .toList();
            return new FeedbackBatchResult(items.size(), rejected, items);
        });
    }

    @GET
    @RolesAllowed(Scope.READ_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<FeedbackList> list(@QueryParam("decisionId") String decisionId, @QueryParam("limit") String limit) {
        FeedbackValidator.identifier("decisionId", decisionId, true).ifPresent(problem -> {
            throw ProblemException.badRequest(problem.field(), problem.reason());
        });
        int max = limit(limit);
        String projectId = caller.projectId();
        return Panache.withSession(() -> repository.forDecision(projectId, decisionId, max))
                .map(stored -> new FeedbackList(
                        stored.stream().map(FeedbackEntity::toRecord).toList()));
    }

    /** {@code limit}: 1 to {@value #MAX_LIST}, default {@value #DEFAULT_LIST}. */
    private static int limit(String value) {
        if (value == null) {
            return DEFAULT_LIST;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1 && n <= MAX_LIST) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ProblemException.badRequest("limit", "an integer from 1 to " + MAX_LIST);
    }

    /** The key may come in the body or as the {@code Idempotency-Key} header; both is fine if they agree. */
    private static FeedbackInput withHeaderKey(FeedbackInput body, String headerKey) {
        if (headerKey == null) {
            return body;
        }
        if (body.idempotencyKey() == null) {
            return body.withIdempotencyKey(headerKey);
        }
        if (!body.idempotencyKey().equals(headerKey)) {
            throw ProblemException.badRequest(
                    "idempotencyKey",
                    "differs from the " + IDEMPOTENCY_KEY_HEADER + " header; send one key, or the same in both");
        }
        return body;
    }
}
