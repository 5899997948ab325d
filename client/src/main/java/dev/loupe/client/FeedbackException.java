package dev.loupe.client;

/**
 * {@code POST /v1/feedback} did not store the feedback. {@link #status()} is the HTTP status (0: no answer);
 * for a 4xx, {@link #field()} and {@link #detail()} say what to fix. Retrying is safe with an idempotency key.
 */
public class FeedbackException extends RuntimeException {
    private final int status;
    private final String title;
    private final String detail;
    private final String field;

    FeedbackException(int status, String title, String detail, String field, Throwable cause) {
        super(message(status, title, detail, field), cause);
        this.status = status;
        this.title = title;
        this.detail = detail;
        this.field = field;
    }

    public int status() {
        return status;
    }

    /** The problem+json title, e.g. {@code Bad Request}; or the I/O error when there was no answer. */
    public String title() {
        return title;
    }

    public String detail() {
        return detail;
    }

    /** The request field to blame, e.g. {@code correction}, or null. */
    public String field() {
        return field;
    }

    /** A 4xx: sending the same request again will fail the same way. */
    public boolean isClientError() {
        return status >= 400 && status < 500;
    }

    private static String message(int status, String title, String detail, String field) {
        return (status == 0 ? "feedback not sent" : "feedback refused with " + status)
                + (title == null ? "" : " " + title)
                + (detail == null ? "" : ": " + detail)
                + (field == null ? "" : " (field " + field + ")");
    }
}
