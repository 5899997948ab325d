package dev.loupe.alerting.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.common.egress.EgressPolicy;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.PreDestroy;

/**
 * What every HTTP receiver shares: its type, the egress policy, one {@link ReceiverHttp} client (closed with
 * the bean), and the default settings check, a {@code url} the policy allows.
 */
public abstract class HttpNotifier implements Notifier {
    private final String type;
    protected final EgressPolicy egress;
    protected final ReceiverHttp http;

    protected HttpNotifier(String type, Vertx vertx, EgressPolicy egress, ReceiversConfig config) {
        this.type = type;
        this.egress = egress;
        this.http = new ReceiverHttp(vertx, egress, config.timeout());
    }

    @PreDestroy
    void close() {
        http.close();
    }

    @Override
    public final String type() {
        return type;
    }

    @Override
    public void validate(JsonNode settings) {
        ReceiverSettings.requireObject(settings);
        ReceiverSettings.requireUrl(egress, settings, "url");
    }
}
