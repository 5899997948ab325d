package dev.loupe.client;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When a batch is sent again and after how long: 429 and 5xx, I/O errors and timeouts are retried, honouring
 * {@code Retry-After} on 429 and 503 and otherwise backing off exponentially with jitter, within a budget of
 * attempts and elapsed time; every other status is final.
 */
final class RetryPolicy {
    /** RFC 9110 §5.6.7: recipients accept IMF-fixdate and the obsolete RFC 850 and asctime forms. */
    private static final List<DateTimeFormatter> HTTP_DATES = List.of(
            DateTimeFormatter.RFC_1123_DATE_TIME,
            new DateTimeFormatterBuilder()
                    .appendPattern("EEEE, dd-MMM-")
                    .appendValueReduced(ChronoField.YEAR, 2, 2, LocalDate.of(1970, 1, 1))
                    .appendPattern(" HH:mm:ss zzz")
                    .toFormatter(Locale.ENGLISH),
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ENGLISH)
                    .withZone(java.time.ZoneOffset.UTC));

    private final int maxAttempts;
    private final Duration maxElapsed;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    RetryPolicy(int maxAttempts, Duration maxElapsed, Duration initialBackoff, Duration maxBackoff) {
        this.maxAttempts = maxAttempts;
        this.maxElapsed = maxElapsed;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    /** 429 and every 5xx; {@code 0} stands for an I/O error or a timeout (no answer). */
    static boolean retryable(int status) {
        return status == 0 || status == 429 || (status >= 500 && status <= 599);
    }

    /** The statuses whose {@code Retry-After} the client obeys. */
    static boolean honoursRetryAfter(int status) {
        return status == 429 || status == 503;
    }

    /**
     * The wait before retry number {@code retry} (1 = the first retry): half of min(max, initial × 2^(retry−1))
     * plus a random share of the other half, so clients that failed together do not return together.
     */
    Duration backoff(int retry, DoubleSupplier random) {
        long initial = initialBackoff.toMillis();
        long cap = maxBackoff.toMillis();
        int doublings = Math.min(Math.max(retry - 1, 0), 40);
        long base = initial > cap >> doublings ? cap : Math.min(cap, initial << doublings);
        long half = base / 2;
        return Duration.ofMillis(half + (long) (random.getAsDouble() * (base - half)));
    }

    /**
     * The wait before retry number {@code retry} after an answer with {@code status} (0: no answer) and this
     * {@code Retry-After} value, or empty when the batch is to be given up: the status is final, or the
     * attempts or the elapsed-time budget would be exceeded.
     */
    Optional<Duration> nextDelay(
            int status, String retryAfter, int retry, Duration elapsed, Instant now, DoubleSupplier random) {
        if (!retryable(status) || retry >= maxAttempts) {
            return Optional.empty();
        }
        Duration delay = (honoursRetryAfter(status) ? parseRetryAfter(retryAfter, now) : Optional.<Duration>empty())
                .orElseGet(() -> backoff(retry, random));
        return elapsed.plus(delay).compareTo(maxElapsed) > 0 ? Optional.empty() : Optional.of(delay);
    }

    /** {@code Retry-After} as delay-seconds or an HTTP-date (a date in the past means now); empty if neither. */
    static Optional<Duration> parseRetryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.trim();
        if (v.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
            } catch (NumberFormatException e) {
                return Optional.empty(); // more digits than a long holds
            }
        }
        for (DateTimeFormatter format : HTTP_DATES) {
            try {
                Instant at = ZonedDateTime.parse(v, format).toInstant();
                return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
            } catch (DateTimeParseException e) {
                // try the next form
            }
        }
        return Optional.empty();
    }
}
