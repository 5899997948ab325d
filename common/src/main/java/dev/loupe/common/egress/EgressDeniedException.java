package dev.loupe.common.egress;

/** An outbound URL the egress policy refuses. */
public class EgressDeniedException extends RuntimeException {
    public EgressDeniedException(String message) {
        super(message);
    }
}
