package dev.loupe.aggregator.query;

import dev.loupe.common.http.ProblemException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Query-parameter parsing shared by the read endpoints, with the same problem for the same mistake. */
public final class QueryParams {
    private QueryParams() {}

    /** An ISO-8601 instant, {@code fallback} when absent, a 400 naming {@code name} when unreadable. */
    public static Instant instant(String name, String value, Instant fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(name, "must be an ISO-8601 UTC instant such as 2026-11-27T10:00:00Z");
        }
    }

    /**
     * A {@code limit} parameter: {@code fallback} when absent, a 400 naming {@code limit} unless it is a whole number
     * from 1 to {@code max}. Parsed here rather than bound as an Integer: a failed JAX-RS conversion would answer 404,
     * not 400.
     */
    public static int limit(String value, int fallback, int max) {
        if (value == null) {
            return fallback;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ProblemException.badRequest("limit", "must be a whole number from 1 to " + max);
    }
}
