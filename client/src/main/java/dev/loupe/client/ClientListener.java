package dev.loupe.client;

import java.time.Duration;
import java.util.List;

/**
 * Optional callbacks on what happens to batches, e.g. to log them your way or to count them in your own
 * metrics. Called on the flusher thread: return quickly and do not throw.
 */
public interface ClientListener {

    /** A request is about to be repeated after {@code retry.delay()}. */
    default void onRetry(Retry retry) {}

    /** A batch was given up (a final 4xx or the retry budget spent); its items count in {@code failed}. */
    default void onBatchFailed(BatchFailure failure) {}

    /** The collector accepted a batch but refused these items of it (they count in {@code rejected}). */
    default void onRejected(String path, List<Rejection> rejections) {}

    /**
     * @param path       {@code /v1/spans} or {@code /v1/decisions}
     * @param status     the answer's status, 0 for an I/O error or a timeout
     * @param retry      1 for the first retry
     * @param delay      the wait before it
     * @param retryAfter the answer's {@code Retry-After} header, or null
     * @param error      the I/O error or the problem's detail, or null
     */
    record Retry(String path, int status, int retry, Duration delay, String retryAfter, String error) {}

    /**
     * @param status 0 when the last attempt got no answer
     * @param title  the problem+json title (or the I/O error), may be null
     * @param detail the problem+json detail, may be null
     */
    record BatchFailure(String path, int items, int status, String title, String detail) {}

    /** One refused item: its index in the request, the field to blame ({@code spans[2].traceId}), why. */
    record Rejection(int index, String field, String reason) {}
}
