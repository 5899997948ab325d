package dev.loupe.aggregator.dashboard;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Serves the dashboard: every view's URL answers {@code index.html} (the client router draws the view), and
 * every page and asset carries a strict Content-Security-Policy, so a string from a trace can never run as
 * script. The API ({@code /v1/*}) and Quarkus' own endpoints ({@code /q/*}) are never answered with the page.
 */
@ApplicationScoped
public class DashboardRoutes {
    /** Only this origin's scripts, styles, images and API; no inline code, no framing, no form posts. */
    public static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    /** The client-side views (DOM contract: {@code data-view}); {@code /decisions/{id}}, {@code /traces/{id}} open one. */
    static final String PAGES = "/|/(cost|latency|errors|quality|feedback|alerts|decisions|traces|sessions|users)/?"
            + "|/(decisions|traces|sessions|users)/[^/]+/?";

    private volatile Buffer index;

    void securityHeaders(@Observes Filters filters) {
        filters.register(
                rc -> {
                    String path = rc.normalizedPath();
                    if (!path.startsWith("/q/")) {
                        rc.response()
                                .putHeader("Content-Security-Policy", CSP)
                                .putHeader("X-Content-Type-Options", "nosniff")
                                .putHeader("Referrer-Policy", "no-referrer");
                    }
                    rc.next();
                },
                100);
    }

    void pages(@Observes Router router) {
        router.getWithRegex(PAGES).handler(this::page);
    }

    private void page(RoutingContext rc) {
        rc.response()
                .putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .end(index());
    }

    private Buffer index() {
        Buffer page = index;
        if (page == null) {
            try (InputStream in = Thread.currentThread()
                    .getContextClassLoader()
                    .getResourceAsStream("META-INF/resources/index.html")) {
                if (in == null) {
                    throw new IllegalStateException("META-INF/resources/index.html is missing from the build");
                }
                page = Buffer.buffer(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            index = page;
        }
        return page;
    }
}
