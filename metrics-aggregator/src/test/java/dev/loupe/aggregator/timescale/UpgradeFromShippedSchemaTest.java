package dev.loupe.aggregator.timescale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.testing.KafkaTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The application started on a database migrated by the shipped V1–V6 (no TimescaleDB on the test server: the one
 * case that can exist there): Quarkus' Flyway runs the {@code beforeValidate} callback, validates, applies V7 and V8, and the
 * history ends with the checksums of the files in the jar.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(ShippedSchemaTestResource.class)
class UpgradeFromShippedSchemaTest {
    @Inject
    Pool pool;

    @Test
    void theApplicationsFlywayAcceptedTheShippedHistoryAndAppliedTheLaterVersions() {
        String history = pool.query("select string_agg(version || ':' || success, ',' order by installed_rank) as h "
                        + "from telemetry.flyway_schema_history where version is not null")
                .execute()
                .await()
                .indefinitely()
                .iterator()
                .next()
                .getString("h");
        assertThat(history)
                .isEqualTo(
                        "1:true,2:true,3:true,4:true,5:true,6:true,7:true,8:true,9:true,10:true,11:true,12:true,13:true");
        // read here, not injected: an injected property would be required by every other test's application too
        String shipped = ConfigProvider.getConfig().getValue(ShippedSchemaTestResource.OUTCOME, String.class);
        if (!shipped.equals("migrated")) {
            // installed but not preloaded: the shipped V1 failed with FATAL, these files migrated an empty database
            assertThat(shipped).isEqualTo("refused: must be preloaded");
            assertThat(pool.query("select count(*) as n from pg_extension where extname = 'timescaledb'")
                            .execute()
                            .await()
                            .indefinitely()
                            .iterator()
                            .next()
                            .getLong("n"))
                    .isZero();
            return;
        }
        // the shipped V1's checksum is no longer there: the callback moved it to the one of the file in the jar
        long formerV1 = pool.query("select count(*) as n from telemetry.flyway_schema_history "
                        + "where version = '1' and checksum = 1997291940")
                .execute()
                .await()
                .indefinitely()
                .iterator()
                .next()
                .getLong("n");
        assertThat(formerV1).isZero();
    }
}
