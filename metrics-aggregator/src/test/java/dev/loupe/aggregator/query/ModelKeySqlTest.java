package dev.loupe.aggregator.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contracts.events.ModelKey;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The SQL twin of {@link ModelKey} (V8's {@code telemetry.model_key} and {@code span_model_key}) gives the same key
 * as the Java function: new rollup rows are keyed in Java, moved spans and every read in SQL.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ModelKeySqlTest {
    static final String[] NAMES = {
        "gpt-4o-mini-2024-07-18",
        "gpt-4o",
        "o1-2024-12-17",
        "gpt-4.1-2025-04-14",
        "gpt-4-0613",
        "gpt-4o-realtime-preview-2024-12-17",
        "text-embedding-3-small",
        "claude-3-5-sonnet-20241022",
        "claude-sonnet-4-20250514",
        "claude-3-5-sonnet-latest",
        "anthropic.claude-3-5-sonnet-20241022-v2:0",
        "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        "anthropic.claude-3-haiku-20240307-v1:0:200k",
        "amazon.titan-text-express-v1",
        "meta.llama3-1-70b-instruct-v1:0",
        "claude-3-5-sonnet-v2@20241022",
        "claude-sonnet-4@20250514",
        "gemini-1.5-pro-002",
        "gemini-2.5-flash-preview-05-20",
        "prod-gpt4o-eastus",
        "gpt-35-turbo-0125",
        "mistral-large-2411",
        "2024-07-18",
        "my-model-20241022-20250101",
        "model-19991231",
        "GPT-4O-2024-08-06",
        "",
        " ",
        "a-20241301",
    };

    @Inject
    Pool pool;

    @Test
    void theSqlTwinKeysEveryNameLikeTheJavaFunction() {
        List<String> names = new ArrayList<>(Arrays.asList(NAMES));
        names.add(null);
        for (String name : names) {
            Row r = pool.preparedQuery("select telemetry.model_key($1) as k")
                    .execute(Tuple.of(name))
                    .await()
                    .indefinitely()
                    .iterator()
                    .next();
            assertThat(r.getString("k")).as(String.valueOf(name)).isEqualTo(ModelKey.normalise(name));
        }
    }

    @Test
    void theSpanKeyPrefersTheRequestModelLikeTheJavaFunction() {
        String[][] pairs = {
            {"gpt-4o-mini", null},
            {"gpt-4o-mini", "gpt-4o-mini-2024-07-18"},
            {null, "gpt-4o-mini-2024-07-18"},
            {"prod-gpt4o", "gpt-4o-2024-08-06"},
            {"  ", "claude-3-5-sonnet-20241022"},
            {"", null},
            {null, null},
        };
        for (String[] p : pairs) {
            Row r = pool.preparedQuery("select telemetry.span_model_key($1, $2) as k")
                    .execute(Tuple.of(p[0], p[1]))
                    .await()
                    .indefinitely()
                    .iterator()
                    .next();
            assertThat(r.getString("k")).as(Arrays.toString(p)).isEqualTo(ModelKey.of(p[0], p[1]));
        }
    }
}
