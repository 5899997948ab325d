package dev.loupe.contracts.json;

/** A Kafka record that a consumer cannot read; it belongs on the dead-letter topic, never retried. */
public class UnreadableRecordException extends RuntimeException {
    public UnreadableRecordException(String message) {
        super(message);
    }

    public UnreadableRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
