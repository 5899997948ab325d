package dev.loupe.common.kafka;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;

/**
 * How a consumer held by a fault ({@link ConsumerFaults}) retries and when it says so; how often lag is measured; how
 * often processed offsets are committed.
 */
@ConfigMapping(prefix = "loupe.consumers")
public interface ConsumerFaultsConfig {
    /**
     * How long a consumer may be held by a fault before readiness turns DOWN. Short enough that an operator
     * (and a load balancer) sees a stuck consumer; long enough that a blip (a database failover) does not flap.
     */
    @WithName("fault-readiness-after")
    @WithDefault("PT30S")
    Duration faultReadinessAfter();

    /** The longest pause between two retries of a held record (the back-off starts at 200 ms and doubles). */
    @WithName("fault-max-backoff")
    @WithDefault("PT10S")
    Duration faultMaxBackoff();

    /**
     * How long one attempt may take before it counts as a fault (a hung connection, a lost reply): it is then
     * retried like any other fault. This replaces SmallRye's {@code throttled.unprocessed-record-max-age.ms}, which
     * Loupe turns off because it fails the whole channel, and so liveness, on a record that is merely held.
     */
    @WithName("attempt-timeout")
    @WithDefault("PT5M")
    Duration attemptTimeout();

    /** While a consumer stays held, a one-line summary is logged this often (the cause is logged once). */
    @WithName("fault-log-every")
    @WithDefault("PT5M")
    Duration faultLogEvery();

    /** How often {@link ConsumerLag} measures each consumer group's lag; {@code 0s} turns it off. */
    @WithName("lag-interval")
    @WithDefault("PT15S")
    Duration lagInterval();

    /**
     * How often each consumer commits the offsets it has processed (SmallRye's throttled strategy reads it as
     * {@code auto.commit.interval.ms}; each service's {@code application.properties} passes this value to every
     * Kafka channel as {@code mp.messaging.connector.smallrye-kafka.auto.commit.interval.ms}). The connector's
     * default is 5 s: at 2,000 spans/s a group then shows up to 10,000 records of lag it has already stored, and
     * a restart redelivers up to 5 s of records (issue 24). One commit request per consumer per second is cheap.
     */
    @WithName("commit-interval-ms")
    @WithDefault("1000")
    int commitIntervalMs();
}
