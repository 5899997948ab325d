package dev.loupe.common.http;

import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Every answer of every service carries {@code X-Content-Type-Options: nosniff}: the APIs answer stored prompts
 * and outputs, which may hold markup, and a browser must never sniff such a JSON answer into HTML.
 */
@ApplicationScoped
public class SecurityHeaders {
    public static final String NOSNIFF = "nosniff";

    void register(@Observes Filters filters) {
        filters.register(
                rc -> {
                    rc.response().putHeader("X-Content-Type-Options", NOSNIFF);
                    rc.next();
                },
                200);
    }
}
