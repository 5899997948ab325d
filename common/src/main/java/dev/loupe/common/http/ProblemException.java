package dev.loupe.common.http;

import java.util.List;

/** Thrown anywhere in a request to answer with a problem+json body of the given status. */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String title;
    private final String field;
    private final List<Problem.FieldError> errors;
    private final Integer retryAfterSeconds;

    public ProblemException(
            int status,
            String title,
            String detail,
            String field,
            List<Problem.FieldError> errors,
            Integer retryAfterSeconds) {
        super(detail);
        this.status = status;
        this.title = title;
        this.field = field;
        this.errors = errors;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ProblemException badRequest(String field, String detail) {
        return new ProblemException(400, "Bad Request", detail, field, null, null);
    }

    public static ProblemException invalid(List<Problem.FieldError> errors) {
        Problem.FieldError first = errors.get(0);
        String detail = errors.size() == 1
                ? first.field() + ": " + first.reason()
                : errors.size() + " invalid fields, first " + first.field() + ": " + first.reason();
        return new ProblemException(400, "Bad Request", detail, first.field(), List.copyOf(errors), null);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "Not Found", detail, null, null, null);
    }

    public static ProblemException tooLarge(String field, String detail) {
        return new ProblemException(413, "Content Too Large", detail, field, null, null);
    }

    public static ProblemException unavailable(String detail, int retryAfterSeconds) {
        return new ProblemException(503, "Service Unavailable", detail, null, null, retryAfterSeconds);
    }

    public int status() {
        return status;
    }

    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public Problem toProblem() {
        return new Problem("about:blank", title, status, getMessage(), null, field, errors);
    }
}
