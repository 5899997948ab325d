package dev.loupe.common.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * An RFC 9457 {@code application/problem+json} body. {@code field} names the offending input
 * (JSON path such as {@code spans[0].traceId}, or a query parameter) whenever one is to blame.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
        String type, String title, int status, String detail, String instance, String field, List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** One invalid input among several. */
    @RegisterForReflection
    public record FieldError(String field, String reason) {}

    public Problem withInstance(String path) {
        return new Problem(type, title, status, detail, path, field, errors);
    }
}
