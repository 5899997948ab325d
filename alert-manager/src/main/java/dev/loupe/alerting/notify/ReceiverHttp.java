package dev.loupe.alerting.notify;

import dev.loupe.common.egress.EgressDeniedException;
import dev.loupe.common.egress.EgressPolicy;
import dev.loupe.contracts.json.EventJson;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.net.SocketAddress;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import javax.net.ssl.SSLException;
import org.jboss.logging.Logger;

/**
 * One JSON POST to a receiver's URL, as every HTTP notifier makes it: the egress policy first (and the connection
 * to the very address it checked, so a DNS answer that changes in between cannot redirect it), no redirects,
 * a time limit, and the answer mapped to a {@link Delivery}. Receiver URLs often carry their secret in the
 * path (Slack, generic webhooks), so only the host ever reaches a log line or a {@code detail}.
 */
final class ReceiverHttp {
    private static final Logger LOG = Logger.getLogger(ReceiverHttp.class);
    private static final int EXCERPT_CHARS = 200;

    private final EgressPolicy egress;
    private final WebClient client;
    private final Duration timeout;

    ReceiverHttp(Vertx vertx, EgressPolicy egress, Duration timeout) {
        this.egress = egress;
        this.timeout = timeout;
        this.client = WebClient.create(
                vertx,
                new WebClientOptions()
                        .setFollowRedirects(false)
                        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                        .setUserAgent("loupe-alert-manager"));
    }

    void close() {
        client.close();
    }

    /** Posts {@code body} as JSON; 2xx counts as delivered when {@code accepted} holds for the answer's body. */
    Uni<Delivery> postJson(String receiver, URI url, Object body, Predicate<String> accepted) {
        String host = url.getHost();
        // resolves the host: blocking, hence the worker pool; the request then goes to the address checked
        return Uni.createFrom()
                .item(() -> Optional.ofNullable(egress.checkedAddress(url)))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(address -> address.map(a -> client.requestAbs(
                                HttpMethod.POST,
                                SocketAddress.inetSocketAddress(EgressPolicy.port(url), a.getHostAddress()),
                                url.toString()))
                        .orElseGet(() -> client.postAbs(url.toString()))
                        .putHeader("Content-Type", "application/json")
                        .timeout(timeout.toMillis())
                        .sendBuffer(Buffer.buffer(EventJson.encodeBytes(body)))
                        .ifNoItem()
                        .after(timeout)
                        .failWith(() -> new TimeoutException()))
                .map(response -> answer(host, response, accepted))
                .onFailure()
                .recoverWithItem(e -> failure(host, e))
                .invoke(delivery -> log(receiver, host, delivery));
    }

    static Delivery answer(String host, HttpResponse<Buffer> response, Predicate<String> accepted) {
        int status = response.statusCode();
        String body = response.bodyAsString();
        if (status >= 200 && status < 300) {
            return accepted.test(body == null ? "" : body)
                    ? Delivery.delivered(host + " answered " + status)
                    : Delivery.failed(host + " answered " + status + " with an unexpected body: " + excerpt(body));
        }
        String what = host + " answered " + status + (body == null || body.isBlank() ? "" : ": " + excerpt(body));
        if (status == 429) {
            return Delivery.retry(retryAfter(response.getHeader("Retry-After")), what);
        }
        if (status >= 500) {
            return Delivery.retry(null, what);
        }
        return Delivery.failed(status >= 300 && status < 400 ? what + " (redirects are not followed)" : what);
    }

    /** Connection failures are worth retrying; a refused URL is not. Exception messages may name the path: not used. */
    static Delivery failure(String host, Throwable e) {
        if (e instanceof EgressDeniedException denied) {
            return Delivery.failed("refused by the egress policy: " + denied.getMessage());
        }
        if (e instanceof TimeoutException || e.getCause() instanceof TimeoutException) {
            return Delivery.retry(null, host + " did not answer in time");
        }
        if (e instanceof ConnectException) {
            return Delivery.retry(null, "cannot connect to " + host);
        }
        if (e instanceof UnknownHostException) {
            return Delivery.retry(null, "cannot resolve " + host);
        }
        if (e instanceof SSLException) {
            return Delivery.retry(null, "TLS with " + host + " failed");
        }
        return Delivery.retry(
                null, "request to " + host + " failed (" + e.getClass().getSimpleName() + ")");
    }

    /** Retry-After as delta-seconds or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.strip();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                Duration wait = Duration.between(Instant.now(), at);
                return wait.isNegative() ? Duration.ZERO : wait.withNanos(0);
            } catch (RuntimeException notADate) {
                return null;
            }
        }
    }

    static String excerpt(String body) {
        if (body == null) {
            return "";
        }
        String flat = body.replaceAll("\\s+", " ").strip();
        return flat.length() <= EXCERPT_CHARS ? flat : flat.substring(0, EXCERPT_CHARS) + "…";
    }

    private static void log(String receiver, String host, Delivery delivery) {
        switch (delivery.outcome()) {
            case DELIVERED -> LOG.debugf("receiver %s (%s): %s", receiver, host, delivery.detail());
            case RETRY -> LOG.infof("receiver %s (%s) will be retried: %s", receiver, host, delivery.detail());
            case FAILED -> LOG.warnf("receiver %s (%s) failed: %s", receiver, host, delivery.detail());
        }
    }
}
