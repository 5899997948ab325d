package dev.loupe.feedback.outbox;

import dev.loupe.common.logging.ControlCharacterFilter;
import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * The feedback-service's console filter, which does two jobs because Quarkus installs one filter per handler:
 * <ul>
 *   <li>it drops SmallRye's per-record send-failure errors (SRMSG18206 "unable to write", SRMSG18212 "nacking"),
 *       each with a stack trace: during a broker outage they would flood the log with one pair per record, while
 *       {@link FeedbackRelay} reports the outage once and its recovery once;
 *   <li>it escapes control characters in everything else, as every service's {@link ControlCharacterFilter} does.
 * </ul>
 * Installed by {@code quarkus.log.console.filter=feedback-console}.
 */
@LoggingFilter(name = SendFailureLogFilter.NAME)
public final class SendFailureLogFilter implements Filter {
    public static final String NAME = "feedback-console";

    private final ControlCharacterFilter escaping = new ControlCharacterFilter();

    @Override
    public boolean isLoggable(LogRecord record) {
        return !isSendFailure(record) && escaping.isLoggable(record);
    }

    private static boolean isSendFailure(LogRecord record) {
        String message = record.getMessage();
        String logger = record.getLoggerName();
        return message != null
                && logger != null
                && logger.startsWith("io.smallrye.reactive.messaging.kafka")
                && (message.startsWith("SRMSG18206") || message.startsWith("SRMSG18212"));
    }
}
