package dev.loupe.collector.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.loupe.collector.ingest.IngestMemoryGuard;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.runtime.GrpcServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.value.registry.ValueRegistry;
import jakarta.inject.Inject;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Overload over OTLP/gRPC answers the OTLP specification's retryable statuses with a {@code google.rpc.RetryInfo}
 * carrying {@code loupe.collector.retry-after-seconds}: the per-key rate limit is RESOURCE_EXHAUSTED, the memory
 * budget UNAVAILABLE. The profile gives each key one request (then one per 1000 s) and a 1-byte memory budget that the
 * test fills itself (the budget always admits a request when nothing is reserved), so the first request passes the
 * rate limit and is refused for memory, the second is refused by the rate limit (checked first, as on OTLP/HTTP).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@TestProfile(OtlpGrpcOverloadTest.Tight.class)
class OtlpGrpcOverloadTest {
    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String key;

    @Inject
    ValueRegistry values;

    @Inject
    IngestMemoryGuard memoryGuard;

    public static class Tight implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "loupe.collector.rate-limit-per-second", "0.001",
                    "loupe.collector.rate-limit-burst", "1",
                    "loupe.collector.memory-budget", "1",
                    "loupe.collector.retry-after-seconds", "7");
        }
    }

    @Test
    void memoryThenRateLimitAnswerRetryableStatusesWithTheirDelay() throws InterruptedException {
        ManagedChannel channel = GrpcClients.channel(values.get(GrpcServer.GRPC_PORT));
        IngestMemoryGuard.Reservation held = memoryGuard.reserve(1);
        try {
            StatusRuntimeException memory = catchThrowableOfType(
                    StatusRuntimeException.class,
                    () -> GrpcClients.stub(channel, "Bearer " + key).export(GrpcClients.request(1, "hi")));
            assertThat(memory.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(GrpcClients.retryInfo(memory))
                    .hasValueSatisfying(info ->
                            assertThat(info.getRetryDelay().getSeconds()).isEqualTo(7));

            StatusRuntimeException rate = catchThrowableOfType(
                    StatusRuntimeException.class,
                    () -> GrpcClients.stub(channel, "Bearer " + key).export(GrpcClients.request(1, "hi")));
            assertThat(rate.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(rate.getStatus().getDescription()).contains("rate limit");
            // the bucket refills one token per 1000 s: the client is told to wait that long, at least a second
            assertThat(GrpcClients.retryInfo(rate))
                    .hasValueSatisfying(info ->
                            assertThat(info.getRetryDelay().getSeconds()).isGreaterThan(1));
        } finally {
            held.release();
            GrpcClients.close(channel);
        }
    }
}
