package dev.loupe.aggregator.explore;

import dev.loupe.aggregator.query.QueryParams;
import dev.loupe.common.http.ProblemException;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code GET /v1/search?q=&from=&to=&feature=&limit=}: full-text search over the caller's project's prompts,
 * completions and decision outputs in a time range, newest first. The text searched is the text stored, which the
 * collector redacted before it left it: a redacted e-mail address or card number is not there to be found, only its
 * placeholder ({@code [EMAIL]}). PostgreSQL's own full-text search ({@code to_tsvector('simple', …)} with GIN
 * indexes, V11; docs/benchmarks.md "Search" says why not {@code pg_trgm}).
 */
@Path("/v1/search")
public class SearchResource {
    static final int MAX_LIMIT = 200;
    static final Duration DEFAULT_RANGE = Duration.ofDays(7);
    static final Duration MAX_RANGE = Duration.ofDays(31);

    private final TextSearch search;
    private final Caller caller;
    private final Clock clock;

    public SearchResource(TextSearch search, Caller caller, Clock clock) {
        this.search = search;
        this.caller = caller;
        this.clock = clock;
    }

    /** One place the text was found: a span's prompt or completion, or a decision's output. */
    @RegisterForReflection
    public record Hit(
            String type,
            String field,
            Instant time,
            String traceId,
            String spanId,
            String decisionId,
            String name,
            String feature,
            String model,
            String status,
            BigDecimal costUsd,
            Snippet snippet) {}

    @RegisterForReflection
    public record Results(String q, Instant from, Instant to, List<Hit> hits) {}

    @GET
    @RolesAllowed(Scope.READ_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Results> search(
            @QueryParam("q") String q,
            @QueryParam("from") String fromParam,
            @QueryParam("to") String toParam,
            @QueryParam("feature") String feature,
            @QueryParam("limit") String limitParam) {
        if (q == null) {
            throw ProblemException.badRequest("q", "is required: the text to search for");
        }
        TextQuery query = TextQuery.parse("q", q);
        Range range = Range.parse(fromParam, toParam, clock.instant(), DEFAULT_RANGE);
        Instant from = range.from();
        Instant to = range.to();
        if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
            throw ProblemException.badRequest("from", "a search covers at most 31 days");
        }
        Range.text("feature", feature);
        int limit = QueryParams.limit(limitParam, 50, MAX_LIMIT);
        return search.spans(caller.projectId(), query, from, to, feature, limit)
                .chain(spanHits -> search.decisions(caller.projectId(), query, from, to, feature, limit)
                        .map(decisionHits -> {
                            List<Hit> all = new ArrayList<>(spanHits);
                            all.addAll(decisionHits);
                            all.sort(Comparator.comparing(Hit::time).reversed().thenComparing(Hit::type));
                            return new Results(
                                    query.text(), from, to, all.size() > limit ? all.subList(0, limit) : all);
                        }));
    }
}
