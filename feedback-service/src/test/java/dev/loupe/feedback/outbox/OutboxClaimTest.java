package dev.loupe.feedback.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.feedback.FeedbackFixtures;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Claims taken by hand, with the scheduled relay off, so each claim is the test's own. */
@QuarkusTest
@TestProfile(OutboxClaimTest.RelayOff.class)
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class OutboxClaimTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    public static class RelayOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.scheduler.enabled", "false");
        }
    }

    @ConfigProperty(name = "loupe.test.project-a.id")
    String projectId;

    @Inject
    Pool pool;

    @Inject
    FeedbackOutbox outbox;

    @Inject
    FeedbackRelay relay;

    private List<String> insert(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(FeedbackFixtures.insertUnpublished(pool, projectId, FeedbackFixtures.decisionId(), "null"));
        }
        return ids;
    }

    private static List<String> ids(List<FeedbackOutbox.Claimed> claimed) {
        return claimed.stream().map(FeedbackOutbox.Claimed::id).toList();
    }

    @Test
    void aClaimedRowIsNotPublishedTwiceByASecondClaim() {
        List<String> rows = insert(3);

        List<FeedbackOutbox.Claimed> first =
                outbox.claim(100, Duration.ofMinutes(1)).await().atMost(WAIT);
        List<FeedbackOutbox.Claimed> second =
                outbox.claim(100, Duration.ofMinutes(1)).await().atMost(WAIT);
        assertThat(ids(first)).containsAll(rows);
        assertThat(ids(second)).doesNotContainAnyElementsOf(rows);

        FeedbackRelay.Round round = relay.publish(first).await().atMost(WAIT);
        assertThat(round.published()).isEqualTo(first.size());
        // the second claimant publishes what it holds; none of the first's rows are among them
        relay.publish(second).await().atMost(WAIT);
        for (String id : rows) {
            assertThat(FeedbackFixtures.row(pool, id).getOffsetDateTime("published_at"))
                    .isNotNull();
            assertThat(FeedbackFixtures.published(id)).hasSize(1);
        }
        assertThat(ids(outbox.claim(100, Duration.ofMinutes(1)).await().atMost(WAIT)))
                .doesNotContainAnyElementsOf(rows);
    }

    @Test
    void concurrentClaimsShareTheRowsWithoutOverlap() {
        List<String> rows = insert(40);

        List<Uni<List<FeedbackOutbox.Claimed>>> claims = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            claims.add(outbox.claim(15, Duration.ofMinutes(1)));
        }
        List<List<FeedbackOutbox.Claimed>> results =
                Uni.join().all(claims).andFailFast().await().atMost(WAIT);

        List<String> all = results.stream().flatMap(r -> ids(r).stream()).toList();
        Set<String> distinct = new HashSet<>(all);
        assertThat(all).hasSameSizeAs(distinct);
        assertThat(distinct).containsAll(rows);
    }

    @Test
    void claimsComeOldestFirstAndAnExpiredLeaseIsClaimedAgain() {
        List<String> rows = insert(2);
        FeedbackFixtures.query(
                pool,
                "update feedback.feedback set received_at = now() - interval '1 hour' where id = $1",
                rows.get(1));

        List<FeedbackOutbox.Claimed> first =
                outbox.claim(100, Duration.ofMinutes(1)).await().atMost(WAIT);
        assertThat(ids(first)).containsSubsequence(rows.get(1), rows.get(0));
        assertThat(ids(outbox.claim(100, Duration.ofMinutes(1)).await().atMost(WAIT)))
                .as("held by a lease")
                .doesNotContainAnyElementsOf(rows);
        // the holder crashed and its lease ran out (moved into the past rather than waited for)
        FeedbackFixtures.query(
                pool,
                "update feedback.feedback set lease_until = now() - interval '1 second' where id = any($1)",
                (Object) rows.toArray(String[]::new));
        // a lease that ran out (the holder crashed) does not keep the rows
        List<FeedbackOutbox.Claimed> again =
                outbox.claim(100, Duration.ofMinutes(1)).await().atMost(WAIT);
        assertThat(ids(again)).containsAll(rows);
        relay.publish(again).await().atMost(WAIT);
    }

    @Test
    void rowsGivenBackAreClaimableAtOnceButOnlyTheirOwnClaimCanGiveThemBack() {
        List<String> rows = insert(2);
        List<FeedbackOutbox.Claimed> first =
                outbox.claim(100, Duration.ofMinutes(1)).await().atMost(WAIT);
        assertThat(ids(first)).containsAll(rows);
        OffsetDateTime lease = first.get(0).leaseUntil();

        // a claimant whose lease ran out and was replaced (another lease) gives nothing back
        outbox.release(rows, lease.minusNanos(1_000)).await().atMost(WAIT);
        assertThat(ids(outbox.claim(100, Duration.ofMinutes(1)).await().atMost(WAIT)))
                .as("still held")
                .doesNotContainAnyElementsOf(rows);

        // the claim that holds them gives them back (Kafka did not acknowledge): the next claim takes them
        outbox.release(rows, lease).await().atMost(WAIT);
        for (String id : rows) {
            assertThat(FeedbackFixtures.row(pool, id).getOffsetDateTime("lease_until"))
                    .isNull();
            assertThat(FeedbackFixtures.row(pool, id).getOffsetDateTime("published_at"))
                    .isNull();
        }
        List<FeedbackOutbox.Claimed> again =
                outbox.claim(100, Duration.ofMinutes(1)).await().atMost(WAIT);
        assertThat(ids(again)).containsAll(rows);
        assertThat(outbox.pending().await().atMost(WAIT)).isGreaterThanOrEqualTo(rows.size());
        relay.publish(again).await().atMost(WAIT);
    }
}
