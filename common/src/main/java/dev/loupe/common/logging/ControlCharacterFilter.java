package dev.loupe.common.logging;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Keeps user-supplied text from forging log lines or driving a terminal: in every record of Loupe's own loggers,
 * CR, LF, ESC and the other control characters in the message arguments (a feature name, a decision id, a dead
 * letter's reason) are written as escapes ({@code \n}, {@code \u001b}). Registered as the console handler's filter
 * ({@code quarkus.log.console.filter=loupe-control-characters}) in every service.
 */
@LoggingFilter(name = ControlCharacterFilter.NAME)
public final class ControlCharacterFilter implements Filter {
    public static final String NAME = "loupe-control-characters";
    private static final String OWN_LOGGERS = "dev.loupe.";

    @Override
    public boolean isLoggable(LogRecord record) {
        String logger = record.getLoggerName();
        if (logger == null || !logger.startsWith(OWN_LOGGERS)) {
            return true;
        }
        Object[] parameters = record.getParameters();
        if (parameters == null || parameters.length == 0) {
            record.setMessage(escape(record.getMessage()));
            return true;
        }
        Object[] safe = parameters.clone();
        for (int i = 0; i < safe.length; i++) {
            Object p = safe[i];
            if (p != null && !(p instanceof Number) && !(p instanceof Boolean)) {
                safe[i] = escape(String.valueOf(p));
            }
        }
        record.setParameters(safe);
        return true;
    }

    /** The text with every control character (C0, DEL, C1, the Unicode line separators) escaped. */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
            if (control && c != '\t') {
                if (out == null) {
                    out = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                switch (c) {
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    default -> out.append(String.format("\\u%04x", (int) c));
                }
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }
}
