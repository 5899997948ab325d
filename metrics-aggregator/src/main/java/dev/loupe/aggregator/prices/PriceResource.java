package dev.loupe.aggregator.prices;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.aggregator.query.QueryParams;
import dev.loupe.common.http.Problem;
import dev.loupe.common.http.ProblemException;
import dev.loupe.common.pricing.PriceList;
import dev.loupe.common.pricing.Rates;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The price API: a project's own prices ({@code PUT /v1/prices/{provider}/{model}}, admin), the table its spans
 * are priced with ({@code GET /v1/prices}, read) and the models its calls had no price for
 * ({@code GET /v1/prices/unpriced}, read). Every query is the caller's project's.
 */
@jakarta.ws.rs.Path("/v1/prices")
public class PriceResource {
    static final String OVERRIDE_RULE = "An override applies to spans of this project that started at or after its"
            + " effectiveFrom, whose model equals its model (case-insensitive) or equals it followed by a date"
            + " suffix (-2024-08-06, -20241022, @20241022), and whose provider equals its provider or is absent."
            + " It wins over the built-in entry. The collector reads overrides again within loupe.tenancy.cache-ttl"
            + " (30 s by default); spans already stored keep their cost.";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,199}");
    private static final Duration DEFAULT_RANGE = Duration.ofDays(1);
    private static final Duration MAX_RANGE = Duration.ofDays(31);
    private static final List<String> RATE_FIELDS = List.of(
            "inputPerMillion",
            "outputPerMillion",
            "cachedReadPerMillion",
            "cacheWritePerMillion",
            "reasoningPerMillion");

    private final PriceRepository repository;
    private final Caller caller;
    private final Clock clock;
    private final List<PriceViews.BuiltIn> builtIn;

    public PriceResource(PriceRepository repository, Caller caller, Clock clock, PricingConfig config) {
        this.repository = repository;
        this.caller = caller;
        this.clock = clock;
        PriceList list =
                config.file().map(f -> PriceList.read(java.nio.file.Path.of(f))).orElseGet(PriceList::builtIn);
        this.builtIn = list.prices().stream()
                .map(p -> new PriceViews.BuiltIn(
                        "built-in",
                        p.provider(),
                        p.model(),
                        p.match(),
                        p.startDate(),
                        p.perMillion(),
                        p.tiers(),
                        list.source(p.provider())))
                .toList();
    }

    @PUT
    @jakarta.ws.rs.Path("/{provider}/{model: .+}")
    @RolesAllowed(Scope.ADMIN_ROLE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> put(@PathParam("provider") String provider, @PathParam("model") String model, JsonNode body) {
        String projectId = caller.projectId();
        List<Problem.FieldError> errors = new ArrayList<>();
        name("provider", provider, errors);
        name("model", model, errors);
        if (body == null || !body.isObject()) {
            throw ProblemException.badRequest(
                    "body", "must be a JSON object with inputPerMillion and outputPerMillion");
        }
        Instant effectiveFrom = effectiveFrom(body.get("effectiveFrom"), errors);
        BigDecimal[] rates = new BigDecimal[RATE_FIELDS.size()];
        for (int i = 0; i < rates.length; i++) {
            rates[i] = rate(body, RATE_FIELDS.get(i), i < 2, errors);
        }
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        return repository
                .put(
                        projectId,
                        provider.toLowerCase(Locale.ROOT),
                        model.toLowerCase(Locale.ROOT),
                        effectiveFrom,
                        new Rates(rates[0], rates[1], rates[2], rates[3], rates[4]))
                .map(stored -> Response.status(stored.created() ? 201 : 200)
                        .entity(stored.entry())
                        .build());
    }

    @GET
    @RolesAllowed(Scope.READ_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<PriceViews.Table> table() {
        String projectId = caller.projectId();
        return repository
                .overrides(projectId)
                .map(overrides -> new PriceViews.Table(projectId, OVERRIDE_RULE, overrides, builtIn));
    }

    @GET
    @jakarta.ws.rs.Path("/unpriced")
    @RolesAllowed(Scope.READ_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<PriceViews.UnpricedModels> unpriced(
            @QueryParam("from") String fromParam,
            @QueryParam("to") String toParam,
            @QueryParam("limit") String limitParam) {
        Instant to = QueryParams.instant("to", toParam, clock.instant());
        Instant from = QueryParams.instant("from", fromParam, to.minus(DEFAULT_RANGE));
        if (!from.isBefore(to)) {
            throw ProblemException.badRequest("from", "must be before 'to'");
        }
        if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
            throw ProblemException.badRequest("to", "at most 31 days after 'from'");
        }
        int limit = QueryParams.limit(limitParam, 100, 1000);
        return repository
                .unpriced(caller.projectId(), from, to, limit)
                .map(models -> new PriceViews.UnpricedModels(from, to, models));
    }

    private static void name(String field, String value, List<Problem.FieldError> errors) {
        if (value == null || !NAME.matcher(value).matches()) {
            errors.add(new Problem.FieldError(
                    field, "1-200 letters, digits and . _ : @ / + -, starting with a letter or digit"));
        }
    }

    static final int MAX_DECIMALS = 8;
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    private Instant effectiveFrom(JsonNode value, List<Problem.FieldError> errors) {
        if (value == null || value.isNull()) {
            return clock.instant();
        }
        if (value.isTextual()) {
            try {
                Instant parsed = Instant.parse(value.asText());
                if (parsed.isBefore(EARLIEST) || parsed.isAfter(LATEST)) {
                    // PostgreSQL stores years 4713 BC to 294276 AD; the span checks' range keeps them comparable
                    errors.add(new Problem.FieldError("effectiveFrom", "must be between years 0001 and 9999"));
                    return null;
                }
                return parsed;
            } catch (DateTimeParseException e) {
                // reported below
            }
        }
        errors.add(new Problem.FieldError(
                "effectiveFrom", "must be an ISO-8601 UTC instant such as 2026-11-27T10:00:00Z"));
        return null;
    }

    private static BigDecimal rate(JsonNode body, String field, boolean required, List<Problem.FieldError> errors) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                errors.add(new Problem.FieldError(field, "is required (USD per million tokens)"));
            }
            return null;
        }
        if (!value.isNumber()) {
            errors.add(new Problem.FieldError(field, "must be a number (USD per million tokens)"));
            return null;
        }
        BigDecimal rate = value.decimalValue();
        if (rate.signum() < 0) {
            errors.add(new Problem.FieldError(field, "must be 0 or more"));
            return null;
        }
        if (rate.compareTo(BigDecimal.valueOf(1_000_000)) > 0) {
            errors.add(new Problem.FieldError(field, "must be at most 1000000 (USD per million tokens)"));
            return null;
        }
        // 1e-999999 is a valid JSON number whose scale PostgreSQL's numeric cannot hold (and whose arithmetic is
        // slow): no price needs more than a millionth of a cent per million tokens
        if (rate.signum() != 0 && rate.stripTrailingZeros().scale() > MAX_DECIMALS) {
            errors.add(new Problem.FieldError(
                    field, "must have at most " + MAX_DECIMALS + " decimal places (USD per million tokens)"));
            return null;
        }
        return rate;
    }
}
