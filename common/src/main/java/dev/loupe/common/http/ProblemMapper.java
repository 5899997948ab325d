package dev.loupe.common.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.loupe.common.sql.DatabaseOutage;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.smallrye.mutiny.CompositeException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.CharConversionException;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The exception mapper of every service: each failure becomes {@code application/problem+json},
 * client mistakes become 4xx naming the field, and only our own faults become 500 (with an id to
 * find the stack trace in the log).
 */
public class ProblemMapper {
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper(priority = 1)
    public Response problem(ProblemException e, UriInfo uri) {
        return problemResponse(e, uri);
    }

    private static Response problemResponse(ProblemException e, UriInfo uri) {
        Response.ResponseBuilder builder = respond(e.toProblem(), uri);
        if (e.retryAfterSeconds() != null) {
            builder.header("Retry-After", e.retryAfterSeconds());
        }
        return builder.build();
    }

    @ServerExceptionMapper(priority = 1)
    public Response json(JsonProcessingException e, UriInfo uri) {
        return respond(fromJson(e), uri).build();
    }

    /**
     * Jackson's mismatched input (a string where a number belongs) has its own built-in mapper in Quarkus REST,
     * which answers plain JSON in dev and test mode; this more specific one keeps the answer problem+json.
     */
    @ServerExceptionMapper(priority = 1)
    public Response mismatched(MismatchedInputException e, UriInfo uri) {
        return respond(fromJson(e), uri).build();
    }

    /**
     * PostgreSQL refusing a value a client sent (SQLSTATE class 22: a NUL character, an out-of-range time or
     * number) is the client's mistake: 400, not 500.
     */
    @ServerExceptionMapper(priority = 1)
    public Response refusedValue(io.vertx.pgclient.PgException e, UriInfo uri) {
        if (e.getSqlState() != null && e.getSqlState().startsWith("22")) {
            Problem problem = new Problem(
                    "about:blank",
                    "Bad Request",
                    400,
                    "a value in the request cannot be stored: " + e.getErrorMessage(),
                    null,
                    null,
                    null);
            return respond(problem, uri).build();
        }
        return internal(e, uri);
    }

    /**
     * Jackson detects UTF-8, UTF-16 or UTF-32 from a body's first bytes and refuses bytes that are none of them
     * with a {@link CharConversionException}: an {@code IOException} but no {@code JsonProcessingException}, and
     * still the client's malformed body (found by the collector's fuzz tests).
     */
    @ServerExceptionMapper(priority = 1)
    public Response undecodable(CharConversionException e, UriInfo uri) {
        Problem problem = new Problem(
                "about:blank",
                "Bad Request",
                400,
                "malformed JSON: not valid UTF-8, UTF-16 or UTF-32: " + e.getMessage(),
                null,
                "body",
                null);
        return respond(problem, uri).build();
    }

    @ServerExceptionMapper(priority = 1)
    public Response unauthenticated(AuthenticationFailedException e, UriInfo uri) {
        return unauthorized(uri);
    }

    @ServerExceptionMapper(priority = 1)
    public Response unauthorized(UnauthorizedException e, UriInfo uri) {
        return unauthorized(uri);
    }

    @ServerExceptionMapper(priority = 1)
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        Problem problem = new Problem(
                "about:blank",
                "Forbidden",
                403,
                "this API key lacks the scope this operation needs",
                null,
                "Authorization",
                null);
        return respond(problem, uri).build();
    }

    @ServerExceptionMapper(priority = 1)
    public Response web(WebApplicationException e, UriInfo uri) {
        JsonProcessingException json = findCause(e, JsonProcessingException.class);
        if (json != null) {
            return respond(fromJson(json), uri).build();
        }
        Response original = e.getResponse();
        int status = original.getStatus();
        if (status >= 500) {
            return internal(e, uri);
        }
        Response.StatusType type = original.getStatusInfo();
        Problem problem = new Problem("about:blank", type.getReasonPhrase(), status, e.getMessage(), null, null, null);
        return respond(problem, uri).build();
    }

    @ServerExceptionMapper(priority = 1)
    public Response composite(CompositeException e, UriInfo uri) {
        Throwable first = e.getCauses().isEmpty() ? e : e.getCauses().get(0);
        if (first instanceof ProblemException problem) {
            return problemResponse(problem, uri);
        }
        return unexpected(first, uri);
    }

    @ServerExceptionMapper(priority = 10)
    public Response unexpected(Throwable e, UriInfo uri) {
        ProblemException problem = findCause(e, ProblemException.class);
        if (problem != null) {
            return problemResponse(problem, uri);
        }
        if (DatabaseOutage.isOutage(e)) {
            return databaseUnavailable(e, uri);
        }
        return internal(e, uri);
    }

    /** The database could not be reached: the client's request was fine, it should come back later. */
    private static Response databaseUnavailable(Throwable e, UriInfo uri) {
        LOG.warnf("database unavailable on %s: %s", uri == null ? "?" : uri.getPath(), e.toString());
        return problemResponse(
                ProblemException.unavailable(
                        "the database is unavailable; retry later", DatabaseOutage.RETRY_AFTER_SECONDS),
                uri);
    }

    private static Response unauthorized(UriInfo uri) {
        Problem problem = new Problem(
                "about:blank",
                "Unauthorized",
                401,
                "missing, unknown or revoked API key; send Authorization: Bearer <key>",
                null,
                "Authorization",
                null);
        return respond(problem, uri).header("WWW-Authenticate", "Bearer").build();
    }

    private static Response internal(Throwable e, UriInfo uri) {
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "unexpected failure %s on %s", id, uri == null ? "?" : uri.getPath());
        Problem problem = new Problem(
                "about:blank",
                "Internal Server Error",
                500,
                "unexpected failure; quote error id " + id,
                null,
                null,
                null);
        return respond(problem, uri).build();
    }

    static Problem fromJson(JsonProcessingException e) {
        String field = e instanceof JsonMappingException mapping ? JsonPaths.describe(mapping.getPath()) : null;
        String reason = e.getOriginalMessage();
        String detail = field == null || field.isEmpty() ? "malformed JSON: " + reason : field + ": " + reason;
        return new Problem(
                "about:blank",
                "Bad Request",
                400,
                detail,
                null,
                field == null || field.isEmpty() ? "body" : field,
                null);
    }

    private static Response.ResponseBuilder respond(Problem problem, UriInfo uri) {
        Problem body = uri == null ? problem : problem.withInstance(uri.getPath());
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(body);
    }

    private static <T extends Throwable> T findCause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
