package dev.loupe.feedback;

import dev.loupe.common.crypto.IdentifierHasher;
import dev.loupe.common.http.ItemRejection;
import dev.loupe.common.http.ProblemException;
import dev.loupe.common.pii.RedactionCounts;
import dev.loupe.common.pii.Redactor;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.contracts.wire.FeedbackInput;
import dev.loupe.feedback.outbox.FeedbackRelay;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Stores validated feedback: redacts correction and text, hashes the user id, and honours idempotency keys — a
 * retry with the same key and content stores nothing and answers the feedback stored first; the same key with
 * other content is refused. The commit is the promise (the row is also the outbox entry); the relay is woken
 * right after it to publish.
 */
@ApplicationScoped
public class FeedbackIntake {
    private static final String DUPLICATE_KEY = "23505";
    /** Concurrent batches sharing keys may collide more than once; each retry sees more of the other's rows. */
    private static final int BATCH_ATTEMPTS = 3;

    /** How one item ended: stored now, or the feedback its idempotency key names ({@code replayed}). */
    public record Outcome(int index, String feedbackId, String decisionId, boolean replayed) {}

    /** The items of a batch that were stored or replayed, and those refused for their idempotency key. */
    public record BatchOutcome(List<Outcome> items, List<ItemRejection> rejected) {}

    /** A valid item with its position in the request. */
    public record Item(int index, FeedbackInput input) {}

    private record Prepared(int index, FeedbackEntity entity, RedactionCounts redactions) {
        String key() {
            return entity.idempotencyKey;
        }
    }

    private final FeedbackRepository repository;
    private final Redactor redactor;
    private final IdentifierHasher identifiers;
    private final FeedbackRelay relay;
    private final MeterRegistry registry;

    public FeedbackIntake(
            FeedbackRepository repository,
            Redactor redactor,
            IdentifierHasher identifiers,
            FeedbackRelay relay,
            MeterRegistry registry) {
        this.repository = repository;
        this.redactor = redactor;
        this.identifiers = identifiers;
        this.relay = relay;
        this.registry = registry;
    }

    /** Stores one validated piece of feedback, or answers the one its idempotency key already stored. */
    public Uni<Outcome> submit(String projectId, FeedbackInput input) {
        Prepared p = prepare(projectId, new Item(0, input), now());
        if (p.key() == null) {
            return insert(List.of(p)).map(ignored -> created(p));
        }
        return Panache.withSession(() -> repository.findByKey(projectId, p.key()))
                .chain(stored -> stored != null
                        ? Uni.createFrom().item(replay(stored, p))
                        : insert(List.of(p))
                                .map(ignored -> created(p))
                                // a concurrent request with the same key committed first: answer what it stored
                                .onFailure(FeedbackIntake::isDuplicateKey)
                                .recoverWithUni(
                                        () -> Panache.withSession(() -> repository.findByKey(projectId, p.key()))
                                                .map(first -> replay(first, p))));
    }

    /** Stores the valid items of a batch in one transaction; keys already used are replayed or refused per item. */
    public Uni<BatchOutcome> submitBatch(String projectId, List<Item> items) {
        return submitBatch(projectId, items, BATCH_ATTEMPTS);
    }

    private Uni<BatchOutcome> submitBatch(String projectId, List<Item> items, int attempts) {
        Instant now = now();
        List<Prepared> prepared =
                items.stream().map(item -> prepare(projectId, item, now)).toList();
        List<String> keys = prepared.stream()
                .map(Prepared::key)
                .filter(Objects::nonNull)
                .distinct()
                .toList();
        return Panache.withSession(() -> repository.findByKeys(projectId, keys)).chain(stored -> {
            Map<String, FeedbackEntity> byKey =
                    stored.stream().collect(Collectors.toMap(e -> e.idempotencyKey, Function.identity()));
            List<Prepared> fresh = new ArrayList<>();
            List<Outcome> outcomes = new ArrayList<>();
            List<ItemRejection> rejected = new ArrayList<>();
            Map<String, Prepared> firstInBatch = new HashMap<>();
            for (Prepared p : prepared) {
                FeedbackEntity earlier = p.key() == null ? null : byKey.get(p.key());
                Prepared sibling = p.key() == null ? null : firstInBatch.get(p.key());
                if (earlier == null && sibling != null) {
                    earlier = sibling.entity();
                }
                if (earlier == null) {
                    fresh.add(p);
                    outcomes.add(created(p));
                    if (p.key() != null) {
                        firstInBatch.put(p.key(), p);
                    }
                } else if (Objects.equals(earlier.fingerprint, p.entity().fingerprint)) {
                    outcomes.add(new Outcome(p.index(), earlier.id, earlier.decisionId, true));
                } else {
                    rejected.add(
                            new ItemRejection(p.index(), "feedback[" + p.index() + "].idempotencyKey", reusedKey()));
                }
            }
            BatchOutcome outcome = new BatchOutcome(outcomes, rejected);
            if (fresh.isEmpty()) {
                return Uni.createFrom().item(outcome);
            }
            return insert(fresh)
                    .map(ignored -> outcome)
                    .onFailure(e -> attempts > 1 && isDuplicateKey(e))
                    .recoverWithUni(() -> submitBatch(projectId, items, attempts - 1));
        });
    }

    private Uni<Void> insert(List<Prepared> items) {
        List<FeedbackEntity> entities = items.stream().map(Prepared::entity).toList();
        return Panache.withTransaction(() -> repository.persist(entities)).invoke(() -> {
            for (Prepared p : items) {
                registry.counter(
                                FeedbackMetrics.RECEIVED,
                                "signal",
                                p.entity().signal.name().toLowerCase(Locale.ROOT))
                        .increment();
                p.redactions()
                        .asMap()
                        .forEach((kind, n) -> registry.counter(FeedbackMetrics.REDACTIONS, "kind", kind)
                                .increment(n));
            }
            relay.wake();
        });
    }

    private Prepared prepare(String projectId, Item item, Instant now) {
        FeedbackInput in = item.input();
        FeedbackSignal signal = FeedbackValidator.signal(in.signal());
        RedactionCounts redactions = new RedactionCounts();
        FeedbackEntity e = new FeedbackEntity();
        e.id = UUID.randomUUID().toString();
        e.projectId = projectId;
        e.decisionId = in.decisionId();
        e.signal = signal;
        e.correction = redactor.redact(in.correction(), redactions);
        e.feedbackText = redactor.redact(in.feedbackText(), redactions);
        e.userId = identifiers.hash(projectId, in.userId());
        e.occurredAt = in.occurredAt() == null ? now : in.occurredAt().truncatedTo(ChronoUnit.MICROS);
        e.receivedAt = now;
        e.idempotencyKey = in.idempotencyKey();
        e.fingerprint = in.idempotencyKey() == null ? null : fingerprint(projectId, in);
        return new Prepared(item.index(), e, redactions);
    }

    /**
     * The content of a request as the client sent it (signal by name, so case does not matter), under the
     * project's HMAC key: equal for a retry, different for other content, and no readable copy of the text.
     */
    String fingerprint(String projectId, FeedbackInput in) {
        FeedbackSignal signal = FeedbackValidator.signal(in.signal());
        String content = EventJson.encode(Arrays.asList(
                in.decisionId(),
                signal.name(),
                in.correction(),
                in.feedbackText(),
                in.userId(),
                in.occurredAt() == null ? null : in.occurredAt().toString()));
        return identifiers.hash(projectId, "feedback-fingerprint:" + content);
    }

    private static Outcome created(Prepared p) {
        return new Outcome(p.index(), p.entity().id, p.entity().decisionId, false);
    }

    private static Outcome replay(FeedbackEntity stored, Prepared p) {
        if (stored == null) {
            throw new IllegalStateException("idempotency key conflict but no stored feedback for it");
        }
        if (!Objects.equals(stored.fingerprint, p.entity().fingerprint)) {
            throw new ProblemException(422, "Unprocessable Content", reusedKey(), "idempotencyKey", null, null);
        }
        return new Outcome(p.index(), stored.id, stored.decisionId, true);
    }

    private static String reusedKey() {
        return "this idempotency key was already used for different feedback; send a new key for new feedback";
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS); // what PostgreSQL keeps
    }

    static boolean isDuplicateKey(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof io.vertx.pgclient.PgException pg && DUPLICATE_KEY.equals(pg.getSqlState())) {
                return true;
            }
            if (t instanceof SQLException sql && DUPLICATE_KEY.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
