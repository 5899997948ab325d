package dev.loupe.collector.ingest;

import dev.loupe.collector.CollectorConfig;
import dev.loupe.collector.otlp.OtlpCodec;
import dev.loupe.common.http.Problem;
import dev.loupe.common.http.ProblemException;
import dev.loupe.contracts.json.EventJson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Locale;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Admission by memory for the ingest endpoints ({@code POST /v1/spans}, {@code /v1/decisions}, {@code /v1/traces}):
 * before a body is read, its expected heap footprint — {@value #EXPANSION} times its length (a Jackson tree, the
 * records, their encoding), a gzipped body counted at up to {@value #GZIP_RATIO} times its length — is reserved from
 * {@code loupe.collector.memory-budget} (a quarter of the maximum heap by default) and returned when the answer has
 * gone out. Past the budget the request gets 503 with Retry-After (problem+json; a {@code google.rpc.Status} on
 * OTLP), so a small heap under more load than it can hold refuses work instead of running out of memory.
 */
@ApplicationScoped
public class IngestMemoryGuard {
    static final int EXPANSION = 4;
    static final int GZIP_RATIO = 10;
    private static final Logger LOG = Logger.getLogger(IngestMemoryGuard.class);
    private static final Set<String> PATHS = Set.of("/v1/spans", "/v1/decisions", "/v1/traces");

    private final MemoryBudget budget;
    private final CollectorConfig config;
    private final Counter refused;

    public IngestMemoryGuard(CollectorConfig config, MeterRegistry registry) {
        this.config = config;
        long configured = config.memoryBudget();
        this.budget = new MemoryBudget(
                configured > 0 ? configured : Runtime.getRuntime().maxMemory() / 4);
        this.refused = registry.counter("loupe.collector.memory.refused");
        Gauge.builder("loupe.collector.memory.reserved", budget, MemoryBudget::reserved)
                .baseUnit("bytes")
                .register(registry);
        LOG.infof(
                "ingest memory budget: %d MiB of a %d MiB heap",
                budget.budget() >> 20, Runtime.getRuntime().maxMemory() >> 20);
    }

    void register(@Observes Filters filters) {
        // before authentication and body reading (which run at lower priorities)
        filters.register(this::admit, 300);
    }

    void admit(RoutingContext rc) {
        if (rc.request().method() != HttpMethod.POST || !PATHS.contains(rc.normalizedPath())) {
            rc.next();
            return;
        }
        long footprint =
                footprint(rc.request().getHeader("Content-Length"), rc.request().getHeader("Content-Encoding"));
        if (!budget.tryReserve(footprint)) {
            refused.increment();
            // read the body to its end without keeping it, then answer: a client still writing its body into a
            // closed connection would see a reset, not the 503 and its Retry-After
            HttpServerRequest request = rc.request();
            if (request.isEnded()) {
                refuse(rc);
                return;
            }
            request.handler(discarded -> {});
            request.endHandler(end -> refuse(rc));
            request.resume();
            return;
        }
        rc.addEndHandler(done -> budget.release(footprint));
        rc.next();
    }

    /**
     * Admission for a message already decoded by another transport (OTLP/gRPC): reserves {@value #EXPANSION} times
     * its encoded size, or refuses with a 503 problem (Retry-After) past the budget. The caller releases the
     * returned reservation when its answer has gone out.
     */
    public Reservation reserve(long encodedBytes) {
        long footprint = Math.min(encodedBytes, config.maxBodyBytes()) * EXPANSION;
        if (!budget.tryReserve(footprint)) {
            refused.increment();
            throw ProblemException.unavailable(
                    "the collector holds as many requests as its memory allows; retry later",
                    config.retryAfterSeconds());
        }
        return new Reservation(budget, footprint);
    }

    /** Bytes reserved for one request; {@link #release()} returns them once. */
    public static final class Reservation {
        private final MemoryBudget budget;
        private final java.util.concurrent.atomic.AtomicLong bytes;

        Reservation(MemoryBudget budget, long bytes) {
            this.budget = budget;
            this.bytes = new java.util.concurrent.atomic.AtomicLong(bytes);
        }

        public void release() {
            long held = bytes.getAndSet(0);
            if (held > 0) {
                budget.release(held);
            }
        }
    }

    /** Expected heap footprint of a body; an unknown length counts as the largest body accepted. */
    long footprint(String contentLength, String contentEncoding) {
        long length;
        try {
            length = contentLength == null ? config.maxBodyBytes() : Math.max(0, Long.parseLong(contentLength.trim()));
        } catch (NumberFormatException e) {
            length = config.maxBodyBytes();
        }
        if (contentEncoding != null && contentEncoding.toLowerCase(Locale.ROOT).contains("gzip")) {
            length = length * GZIP_RATIO;
        }
        return Math.min(length, config.maxBodyBytes()) * EXPANSION;
    }

    private void refuse(RoutingContext rc) {
        int retryAfter = config.retryAfterSeconds();
        String detail = "the collector holds as many request bodies as its memory allows; retry later";
        rc.response().setStatusCode(503).putHeader("Retry-After", Integer.toString(retryAfter));
        if (rc.normalizedPath().equals("/v1/traces")) {
            String type = rc.request().getHeader("Content-Type");
            boolean json = type != null && type.toLowerCase(Locale.ROOT).startsWith(OtlpCodec.JSON);
            rc.response()
                    .putHeader("Content-Type", json ? OtlpCodec.JSON : OtlpCodec.PROTOBUF)
                    .end(io.vertx.core.buffer.Buffer.buffer(OtlpCodec.status(14, detail, json)));
            return;
        }
        Problem problem =
                ProblemException.unavailable(detail, retryAfter).toProblem().withInstance(rc.normalizedPath());
        rc.response().putHeader("Content-Type", Problem.MEDIA_TYPE).end(EventJson.encode(problem));
    }
}
