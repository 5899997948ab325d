package dev.loupe.evals.evaluators;

/** A feature's evaluator config that cannot work; {@code field} is relative to the config ("pattern", "values[1]"). */
public class InvalidConfigException extends RuntimeException {
    private final String field;

    public InvalidConfigException(String field, String detail) {
        super(detail);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
