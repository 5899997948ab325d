package dev.loupe.feedback.outbox;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Drops SmallRye's per-record send-failure errors (SRMSG18206 "unable to write", SRMSG18212 "nacking"), each with
 * a stack trace: during a broker outage they would flood the log with one pair per record, while
 * {@link FeedbackRelay} reports the outage once and its recovery once. Installed by
 * {@code quarkus.log.console.filter}.
 */
@LoggingFilter(name = "feedback-send-failures")
public final class SendFailureLogFilter implements Filter {
    @Override
    public boolean isLoggable(LogRecord record) {
        String message = record.getMessage();
        String logger = record.getLoggerName();
        return message == null
                || logger == null
                || !logger.startsWith("io.smallrye.reactive.messaging.kafka")
                || !(message.startsWith("SRMSG18206") || message.startsWith("SRMSG18212"));
    }
}
