package dev.loupe.aggregator.dashboard;

import dev.loupe.common.http.Problem;
import dev.loupe.common.http.ProblemException;
import dev.loupe.contracts.json.EventJson;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves the shipped rules' runbooks ({@code docs/runbooks/*.md}, copied into the jar at build time), so the
 * {@code runbookUrl} of a notification works on a fresh install: {@code GET /runbooks/} is the index (the
 * runbooks' README), {@code GET /runbooks/{name}} one runbook ({@code daily-spend-high.md}, or without
 * {@code .md}). They are documentation: public, no key. A page is the markdown as escaped text; only links to
 * other runbooks become anchors, so nothing in a file is ever markup. A name that is not a runbook's
 * (lower-case letters, digits and dashes) is refused with 400, one that does not exist is 404, both
 * problem+json naming {@code name}; nothing outside the runbooks can be reached.
 */
@ApplicationScoped
public class RunbookRoutes {
    static final String RESOURCES = "runbooks/";
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,99}(\\.md)?");
    /** A markdown link to another runbook, after escaping: {@code [text](name.md)}. */
    private static final Pattern RUNBOOK_LINK =
            Pattern.compile("\\[([^\\]\\n]{1,200})\\]\\(([a-z0-9][a-z0-9-]{0,99}\\.md)\\)");

    private final Map<String, String> pages = new ConcurrentHashMap<>();

    void routes(@Observes Router router) {
        router.getWithRegex("/runbooks/?").handler(rc -> page(rc, "README.md", "Runbooks"));
        router.get("/runbooks/:name").handler(this::runbook);
    }

    private void runbook(RoutingContext rc) {
        String name = rc.pathParam("name");
        if (name == null || !NAME.matcher(name).matches()) {
            problem(
                    rc,
                    ProblemException.badRequest(
                            "name", "a runbook name: lower-case letters, digits and dashes, optionally ending in .md"));
            return;
        }
        String file = name.endsWith(".md") ? name : name + ".md";
        page(rc, file, "Runbook: " + file.substring(0, file.length() - 3));
    }

    private void page(RoutingContext rc, String file, String title) {
        Optional<String> markdown = Optional.ofNullable(pages.get(file)).or(() -> read(file));
        if (markdown.isEmpty()) {
            problem(rc, new ProblemException(404, "Not Found", "no runbook named " + file, "name", null, null));
            return;
        }
        rc.response()
                .putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "public, max-age=300")
                .end(render(title, markdown.get()));
        pages.putIfAbsent(file, markdown.get()); // only what exists: unknown names must not grow the cache
    }

    /** The page: the markdown as escaped preformatted text, with links to other runbooks made anchors. */
    static String render(String title, String markdown) {
        Matcher links = RUNBOOK_LINK.matcher(escape(markdown));
        StringBuilder body = new StringBuilder();
        while (links.find()) {
            links.appendReplacement(
                    body,
                    Matcher.quoteReplacement(
                            "<a href=\"/runbooks/" + links.group(2) + "\">" + links.group(1) + "</a>"));
        }
        links.appendTail(body);
        return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + escape(title)
                + "</title>\n</head>\n<body>\n<nav><a href=\"/runbooks/\">All runbooks</a> · <a href=\"/\">Dashboard</a>"
                + "</nav>\n<main>\n<pre>" + body + "</pre>\n</main>\n</body>\n</html>\n";
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 64);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static Optional<String> read(String file) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(RESOURCES + file)) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void problem(RoutingContext rc, ProblemException e) {
        Problem problem = e.toProblem().withInstance(rc.request().path());
        rc.response()
                .setStatusCode(e.status())
                .putHeader("Content-Type", Problem.MEDIA_TYPE)
                .end(EventJson.encode(problem));
    }
}
