package dev.loupe.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contracts.json.UnreadableRecordException;
import io.vertx.pgclient.PgException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class StoreRetryTest {

    @Test
    void theRecordsOwnDataIsNotAnOutage() {
        assertThat(StoreRetry.isOutage(new PgException("bad value", "ERROR", "22P02", "detail")))
                .isFalse();
        assertThat(StoreRetry.isOutage(new PgException("duplicate", "ERROR", "23505", "detail")))
                .isFalse();
        assertThat(StoreRetry.isOutage(
                        new RuntimeException("wrapped", new UnreadableRecordException("row matches no record"))))
                .isFalse();
    }

    @Test
    void everythingElseIsRetriedAsAnOutage() {
        assertThat(StoreRetry.isOutage(new PgException("terminating", "FATAL", "57P01", "admin shutdown")))
                .isTrue();
        assertThat(StoreRetry.isOutage(new IOException("Connection refused"))).isTrue();
        assertThat(StoreRetry.isOutage(new TimeoutException())).isTrue();
        assertThat(StoreRetry.isOutage(new IllegalStateException("Pool closed")))
                .isTrue();
        assertThat(StoreRetry.isOutage(new NullPointerException("a bug stops the partition loudly")))
                .isTrue();
    }
}
