package dev.loupe.aggregator.dashboard;

import dev.loupe.common.http.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Relays a dashboard call to another Loupe service with the caller's own {@code Authorization} header, so that
 * service applies its own scopes and project; answers its status, body and content headers unchanged, or 503
 * problem+json when it cannot be reached in time. The targets come from configuration, never from a request.
 */
@ApplicationScoped
public class Forwarder {
    private static final Logger LOG = Logger.getLogger(Forwarder.class);
    /** Response headers worth relaying; hop-by-hop and security headers are this service's own. */
    private static final List<String> RELAYED =
            List.of("Content-Type", "Content-Disposition", "Location", "Retry-After");

    private final WebClient client;
    private final DashboardConfig config;

    public Forwarder(Vertx vertx, DashboardConfig config) {
        this.config = config;
        this.client = WebClient.create(
                vertx,
                new WebClientOptions()
                        .setConnectTimeout((int) config.forwardTimeout().toMillis())
                        .setFollowRedirects(false)
                        .setUserAgent("loupe-metrics-aggregator"));
    }

    /** The downstream services a dashboard call may reach. */
    public enum Target {
        ALERT_MANAGER,
        EVAL_RUNNER
    }

    /**
     * Sends {@code method pathAndQuery} (already encoded) to the target with the caller's authorization and, when
     * given, the body and its content type.
     */
    public Uni<Response> forward(
            Target target,
            HttpMethod method,
            String pathAndQuery,
            String authorization,
            byte[] body,
            String contentType) {
        String base = target == Target.ALERT_MANAGER ? config.alertManagerUrl() : config.evalRunnerUrl();
        URI uri = URI.create(stripSlash(base) + pathAndQuery);
        HttpRequest<Buffer> request = client.requestAbs(method, uri.toString())
                .timeout(config.forwardTimeout().toMillis());
        if (authorization != null) {
            request.putHeader("Authorization", authorization);
        }
        request.putHeader("Accept", "application/json, application/problem+json, application/x-ndjson, */*");
        Uni<HttpResponse<Buffer>> sent;
        if (body != null) {
            request.putHeader("Content-Type", contentType == null ? "application/json" : contentType);
            sent = request.sendBuffer(Buffer.buffer(body));
        } else {
            sent = request.send();
        }
        String service = target == Target.ALERT_MANAGER ? "alert-manager" : "eval-runner";
        return sent.map(Forwarder::relay).onFailure().transform(e -> {
            LOG.warnf("%s unreachable for %s %s: %s", service, method, pathAndQuery, e.toString());
            return ProblemException.unavailable(service + " cannot be reached; try again shortly", 5);
        });
    }

    private static Response relay(HttpResponse<Buffer> answer) {
        Response.ResponseBuilder out = Response.status(answer.statusCode());
        for (String header : RELAYED) {
            String value = answer.getHeader(header);
            if (value != null) {
                out.header(header, value);
            }
        }
        Buffer body = answer.body();
        if (body != null && body.length() > 0) {
            out.entity(body.getBytes());
        }
        return out.build();
    }

    private static String stripSlash(String base) {
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /** Percent-encodes one path segment (RFC 3986 unreserved characters kept). */
    public static String segment(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
