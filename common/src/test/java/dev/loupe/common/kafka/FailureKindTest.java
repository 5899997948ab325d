package dev.loupe.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import dev.loupe.contracts.json.UnreadableRecordException;
import io.vertx.pgclient.PgException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which failures send a record to {@code <topic>.dlq} (POISON) and which hold its partition (FAULT). */
class FailureKindTest {
    static Stream<Arguments> table() {
        return Stream.of(
                // the record itself
                Arguments.of(
                        "not JSON / wrong shape",
                        new UnreadableRecordException("not a readable X"),
                        FailureKind.POISON),
                Arguments.of(
                        "unreadable, wrapped",
                        new CompletionException(new UnreadableRecordException("no projectId")),
                        FailureKind.POISON),
                Arguments.of("bad value, 22P02", pg("22P02"), FailureKind.POISON),
                Arguments.of("value too long, 22001", pg("22001"), FailureKind.POISON),
                Arguments.of("unique violation, 23505", pg("23505"), FailureKind.POISON),
                Arguments.of("check violation, wrapped", new RuntimeException(pg("23514")), FailureKind.POISON),
                // our code, the platform, what we depend on
                Arguments.of("undefined table, 42P01", pg("42P01"), FailureKind.FAULT),
                Arguments.of("insufficient privilege, 42501", pg("42501"), FailureKind.FAULT),
                Arguments.of("undefined column, 42703", pg("42703"), FailureKind.FAULT),
                Arguments.of("admin shutdown, 57P01", pg("57P01"), FailureKind.FAULT),
                Arguments.of("connection failure, 08006", pg("08006"), FailureKind.FAULT),
                Arguments.of("connection refused", new IOException("Connection refused"), FailureKind.FAULT),
                Arguments.of("timeout", new TimeoutException(), FailureKind.FAULT),
                Arguments.of("pool closed", new IllegalStateException("Pool closed"), FailureKind.FAULT),
                Arguments.of("native: Caffeine's SSMS", new IllegalStateException("SSMS"), FailureKind.FAULT),
                Arguments.of("NPE in our mapping", new NullPointerException("mapping"), FailureKind.FAULT),
                Arguments.of("class not found", new NoClassDefFoundError("dev/loupe/Missing"), FailureKind.FAULT),
                Arguments.of(
                        "static initialiser failed",
                        new ExceptionInInitializerError(new IllegalArgumentException("config")),
                        FailureKind.FAULT),
                Arguments.of("configuration error", new IllegalArgumentException("no such setting"), FailureKind.FAULT),
                Arguments.of("Jackson cannot build the type", noCreator(), FailureKind.FAULT),
                Arguments.of(
                        "a fault inside an unreadable marker stays a fault",
                        new UnreadableRecordException("not readable", noCreator()),
                        FailureKind.FAULT),
                Arguments.of(
                        "a class missing under an unreadable marker stays a fault",
                        new UnreadableRecordException("x", new NoClassDefFoundError("Y")),
                        FailureKind.FAULT));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("table")
    void classifies(String what, Throwable failure, FailureKind expected) {
        assertThat(FailureKind.of(failure)).as(what).isEqualTo(expected);
        assertThat(FailureKind.isPoison(failure)).isEqualTo(expected == FailureKind.POISON);
        assertThat(FailureKind.isFault(failure)).isEqualTo(expected == FailureKind.FAULT);
    }

    private static InvalidDefinitionException noCreator() {
        return InvalidDefinitionException.from(
                (JsonParser) null, "Cannot construct instance (no Creators)", (JavaType) null);
    }

    private static PgException pg(String sqlState) {
        return new PgException("error " + sqlState, "ERROR", sqlState, "detail");
    }
}
