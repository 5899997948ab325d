package dev.loupe.aggregator.explore;

import dev.loupe.common.http.ProblemException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Where the next page of a newest-first list starts: the last row's time (microseconds, as stored) and its id (a trace
 * id, a session id, a user id), as an opaque URL-safe token. Keyset paging: a page costs the same however deep it is, and rows stored meanwhile do not
 * shift it.
 */
public record TraceCursor(Instant time, String id) {
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");
    private static final Pattern FORM = Pattern.compile("(-?\\d{1,19}):(.{1,256})", Pattern.DOTALL);

    /** A page: at most {@code limit} rows, and the cursor after the last when more were there. */
    public record Cut<T>(List<T> rows, String next) {}

    /**
     * Cuts rows fetched as {@code limit + 1} (the extra one says a next page exists) to {@code limit}, with the cursor
     * of the last row kept ({@code at}), or none.
     */
    public static <T> Cut<T> cut(List<T> fetched, int limit, Function<T, TraceCursor> at) {
        if (fetched.size() <= limit) {
            return new Cut<>(List.copyOf(fetched), null);
        }
        List<T> rows = List.copyOf(fetched.subList(0, limit));
        return new Cut<>(rows, at.apply(rows.get(limit - 1)).encode());
    }

    public String encode() {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, time);
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((micros + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** Null when absent; a 400 naming {@code field} when it is not a token this API gave out. */
    public static TraceCursor decode(String field, String token) {
        if (token == null) {
            return null;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            var m = FORM.matcher(text);
            if (m.matches()) {
                Instant time = Instant.EPOCH.plus(Long.parseLong(m.group(1)), ChronoUnit.MICROS);
                // a crafted token must not reach PostgreSQL as a timestamp or text it cannot hold (a 500)
                if (!time.isBefore(EARLIEST)
                        && !time.isAfter(LATEST)
                        && m.group(2).indexOf('\u0000') < 0) {
                    return new TraceCursor(time, m.group(2));
                }
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            // answered below
        }
        throw ProblemException.badRequest(field, "is not a cursor this API returned (use nextCursor as given)");
    }
}
