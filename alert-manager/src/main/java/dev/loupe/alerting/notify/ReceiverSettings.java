package dev.loupe.alerting.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.common.egress.EgressDeniedException;
import dev.loupe.common.egress.EgressPolicy;
import dev.loupe.common.http.ProblemException;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Reads receivers' settings for {@link Notifier#validate} (a 400 naming the field) and again before each send,
 * where settings that no longer validate become a failed delivery. URLs may hold a token: messages never echo them.
 */
final class ReceiverSettings {
    private ReceiverSettings() {}

    /**
     * Reads a URL setting and checks it against the egress policy (resolving its host: blocking).
     *
     * @throws ProblemException 400 naming {@code settings.<field>}
     */
    static URI requireUrl(EgressPolicy egress, JsonNode settings, String field) {
        URI url = parseUrl(settings, field);
        try {
            egress.check(url);
        } catch (EgressDeniedException e) {
            throw ProblemException.badRequest("settings." + field, "refused by the egress policy: " + e.getMessage());
        }
        return url;
    }

    /**
     * Reads a URL setting without calling the egress policy ({@link ReceiverHttp#postJson} calls it before each attempt).
     *
     * @throws ProblemException 400 naming {@code settings.<field>}
     */
    static URI parseUrl(JsonNode settings, String field) {
        JsonNode node = settings == null ? null : settings.get(field);
        if (node == null || node.isNull()) {
            throw ProblemException.badRequest("settings." + field, "is required");
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw ProblemException.badRequest("settings." + field, "must be an http or https URL");
        }
        URI url;
        try {
            url = new URI(node.asText().strip());
        } catch (URISyntaxException e) {
            // the URL may hold a token: say what is wrong, not what was given
            throw ProblemException.badRequest("settings." + field, "is not a valid URL");
        }
        if (url.getScheme() == null
                || url.getHost() == null
                || !(url.getScheme().equalsIgnoreCase("http") || url.getScheme().equalsIgnoreCase("https"))) {
            throw ProblemException.badRequest("settings." + field, "must be an absolute http or https URL with a host");
        }
        return url;
    }

    /** A receiver whose stored settings no longer validate: retrying cannot help. */
    static Delivery invalidSettings(ProblemException e) {
        String field = e.toProblem().field();
        String message = e.getMessage();
        return Delivery.failed(
                "invalid settings: " + (field == null || message.startsWith(field) ? message : field + " " + message));
    }

    /** Validates that settings is a JSON object. */
    static void requireObject(JsonNode settings) {
        if (settings == null || !settings.isObject()) {
            throw ProblemException.badRequest("settings", "must be a JSON object");
        }
    }
}
