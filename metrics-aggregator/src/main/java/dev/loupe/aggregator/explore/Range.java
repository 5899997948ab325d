package dev.loupe.aggregator.explore;

import dev.loupe.aggregator.query.QueryParams;
import dev.loupe.common.http.ProblemException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** A {@code from}/{@code to} pair of query parameters, {@code from} before {@code to}, defaults ending now. */
public record Range(Instant from, Instant to) {
    public static Range parse(String fromParam, String toParam, Instant now, Duration fallback) {
        Instant to = QueryParams.instant("to", toParam, now);
        Instant from = QueryParams.instant("from", fromParam, to.minus(fallback));
        if (!from.isBefore(to)) {
            throw ProblemException.badRequest("from", "must be before 'to'");
        }
        return new Range(from, to);
    }

    public OffsetDateTime fromUtc() {
        return from.atOffset(ZoneOffset.UTC);
    }

    public OffsetDateTime toUtc() {
        return to.atOffset(ZoneOffset.UTC);
    }

    /** A filter value of 1..256 characters without NUL (PostgreSQL refuses it in text), or a 400 naming {@code field}. */
    public static String text(String field, String value) {
        if (value != null && (value.isBlank() || value.length() > 256 || value.indexOf('\u0000') >= 0)) {
            throw ProblemException.badRequest(field, "must be 1 to 256 characters");
        }
        return value;
    }
}
