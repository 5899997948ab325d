package dev.loupe.common.kafka;

import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import dev.loupe.contracts.json.UnreadableRecordException;
import io.vertx.pgclient.PgException;

/**
 * What a consumer's failure says about the record it was handling. Only a {@link #POISON} record goes to
 * {@code <topic>.dlq}; everything else is a {@link #FAULT} of this service, its platform or what it depends on,
 * and holds the partition until it is lifted ({@link ConsumerFaults}).
 *
 * <ul>
 *   <li>POISON: an {@link UnreadableRecordException} (not JSON, wrong shape, unknown schema version, required
 *       fields missing, or a writer saying it cannot store this record), or the database refusing the record's
 *       data as such (SQLSTATE class 22, data exception, or 23, integrity constraint violation).
 *   <li>FAULT: anything else, whatever wraps it: a class not found, a {@link LinkageError}, an NPE in our mapping,
 *       a configuration error, Jackson unable to build the type at all ({@link InvalidDefinitionException}: a bug
 *       or a missing reflection registration), a database that is away or that reports an error about our SQL or
 *       schema (SQLSTATE 42P01, undefined table; 42501, insufficient privilege; 08, connection), a timeout.
 * </ul>
 *
 * A fault found anywhere in the cause chain wins over a poison marker around it: a record is dead-lettered only
 * when nothing but the record is to blame.
 */
public enum FailureKind {
    POISON,
    FAULT;

    private static final int MAX_DEPTH = 32;

    public static FailureKind of(Throwable failure) {
        boolean poison = false;
        int depth = 0;
        for (Throwable t = failure; t != null && depth < MAX_DEPTH; t = t.getCause() == t ? null : t.getCause()) {
            depth++;
            if (t instanceof InvalidDefinitionException || t instanceof LinkageError) {
                return FAULT;
            }
            if (t instanceof UnreadableRecordException || isDataRefusal(t)) {
                poison = true;
            }
        }
        return poison ? POISON : FAULT;
    }

    public static boolean isPoison(Throwable failure) {
        return of(failure) == POISON;
    }

    public static boolean isFault(Throwable failure) {
        return of(failure) == FAULT;
    }

    /** The database refused the record's own data: SQLSTATE class 22 (data exception) or 23 (constraint). */
    static boolean isDataRefusal(Throwable t) {
        return t instanceof PgException pg
                && pg.getSqlState() != null
                && (pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("23"));
    }
}
