package dev.loupe.common.sql;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.util.concurrent.TimeoutException;

/**
 * Tells a database that cannot be reached (connection refused, lost or timed out, no connection from the pool
 * in time) from a database that answered with an error: the first is an outage, answered 503 with Retry-After
 * and retried, never a 500 and never a reason to dead-letter a record.
 */
public final class DatabaseOutage {
    /** How long a client is told to wait before retrying while the database is away. */
    public static final int RETRY_AFTER_SECONDS = 5;

    private DatabaseOutage() {}

    public static boolean isOutage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof io.vertx.sqlclient.ClosedConnectionException
                    || t instanceof ConnectException
                    || t instanceof NoRouteToHostException
                    || t instanceof SocketException
                    || t instanceof TimeoutException // Vert.x's pool: no connection in time
                    || t instanceof io.netty.channel.ConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
