package dev.loupe.aggregator.query;

import dev.loupe.aggregator.rollup.Granularity;
import dev.loupe.common.http.ProblemException;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/**
 * {@code GET /v1/metrics/{metric}}: a metric of the caller's project over [from, to), grouped by named
 * dimensions, bucketed or not, filtered by dimension values given as query parameters
 * ({@code ?feature=support-rag}). Every mistake is a 400 naming the parameter.
 */
@Path("/v1/metrics")
public class MetricsResource {
    static final Pattern DIMENSION_KEY = Pattern.compile("dimension\\.[A-Za-z0-9_.-]{1,64}");
    private static final Set<String> RESERVED = Set.of("from", "to", "groupBy", "bucket", "limit");
    private static final Duration DEFAULT_RANGE = Duration.ofHours(24);
    private static final Map<Granularity, Duration> MAX_RANGE = Map.of(
            Granularity.MINUTE,
            Duration.ofDays(7),
            Granularity.HOUR,
            Duration.ofDays(400),
            Granularity.DAY,
            Duration.ofDays(5 * 366));

    private final MetricService metrics;
    private final Caller caller;
    private final Clock clock;

    public MetricsResource(MetricService metrics, Caller caller, Clock clock) {
        this.metrics = metrics;
        this.caller = caller;
        this.clock = clock;
    }

    @GET
    @Path("/{metric}")
    @RolesAllowed(Scope.READ_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A metric as series of points with sample sizes, per group")
    public Uni<MetricSeries> metric(
            @PathParam("metric") @Parameter(description = "metric name, e.g. cost_usd, latency_p95_ms") String name,
            @Context UriInfo uri) {
        Metric metric = Metric.ofLabel(name)
                .orElseThrow(() -> ProblemException.badRequest(
                        "metric",
                        "unknown metric '" + name + "'; known: "
                                + Arrays.stream(Metric.values())
                                        .map(Metric::label)
                                        .toList()));
        MultivaluedMap<String, String> params = uri.getQueryParameters();
        Optional<Granularity> bucket = Optional.ofNullable(single(params, "bucket"))
                .map(b -> Granularity.ofLabel(b)
                        .orElseThrow(() -> ProblemException.badRequest("bucket", "must be 1m, 1h or 1d")));
        Instant to = instant(params, "to", clock.instant());
        Instant from = instant(params, "from", to.minus(DEFAULT_RANGE));
        if (!from.isBefore(to)) {
            throw ProblemException.badRequest("from", "must be before 'to'");
        }
        Duration max = MAX_RANGE.get(bucket.orElse(Granularity.DAY));
        if (Duration.between(from, to).compareTo(max) > 0) {
            throw ProblemException.badRequest(
                    "to",
                    "range longer than " + max.toDays() + " days"
                            + bucket.map(b -> " for bucket " + b.label()).orElse(""));
        }
        List<String> groupBy = groupBy(metric, single(params, "groupBy"));
        Map<String, String> filters = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> p : params.entrySet()) {
            if (RESERVED.contains(p.getKey())) {
                continue;
            }
            if (!accepts(metric, p.getKey())) {
                throw ProblemException.badRequest(
                        p.getKey(),
                        "unknown parameter; " + metric.label() + " filters by " + new TreeSet<>(metric.dimensions()));
            }
            filters.put(p.getKey(), single(params, p.getKey()));
        }
        int limit = QueryParams.limit(single(params, "limit"), 100, 1000);
        return metrics.query(new MetricRequest(caller.projectId(), metric, from, to, groupBy, bucket, filters), limit);
    }

    private static boolean accepts(Metric metric, String dimension) {
        return metric.dimensions().contains(dimension)
                || (metric.source() == Metric.Source.EVALS
                        && DIMENSION_KEY.matcher(dimension).matches());
    }

    private static List<String> groupBy(Metric metric, String value) {
        List<String> groupBy = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return groupBy;
        }
        for (String d : value.split(",")) {
            String name = d.trim();
            if (!accepts(metric, name)) {
                throw ProblemException.badRequest(
                        "groupBy",
                        "'" + name + "' is not a dimension of " + metric.label() + "; use "
                                + new TreeSet<>(metric.dimensions()));
            }
            if (groupBy.contains(name)) {
                throw ProblemException.badRequest("groupBy", "'" + name + "' is named twice");
            }
            groupBy.add(name);
        }
        return groupBy;
    }

    private static Instant instant(MultivaluedMap<String, String> params, String name, Instant fallback) {
        return QueryParams.instant(name, single(params, name), fallback);
    }

    private static String single(MultivaluedMap<String, String> params, String name) {
        List<String> values = params.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw ProblemException.badRequest(name, "given more than once");
        }
        return values.get(0);
    }
}
