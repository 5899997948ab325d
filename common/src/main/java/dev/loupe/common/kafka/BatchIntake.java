package dev.loupe.common.kafka;

import dev.loupe.contracts.events.LoupeEvent;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.contracts.json.UnreadableRecordException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;

/**
 * The shared path of every batch consumer: decode, store the readable records in one transaction, dead-letter
 * what cannot be read, and complete only when both are done (the batch's offsets are committed after that). When
 * the database refuses the batch because of one record's data ({@link FailureKind#POISON}), the batch is stored
 * again one record at a time, so only the guilty record is dead-lettered and the partition keeps flowing.
 *
 * <p>Any other failure (a fault: the database away, a bug, a class missing from a native image) fails the returned
 * Uni untouched; the consumer runs {@code take} inside {@link ConsumerFaults#hold}, which runs it again until the
 * fault is lifted. Dead letters are sent last, after every store succeeded, so such a rerun does not send them
 * twice. Not a bean: each service produces one around its own {@link DeadLetters}.
 */
public class BatchIntake {
    private final DeadLetters deadLetters;

    public BatchIntake(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    private record Letter(ConsumerRecord<String, ?> record, String reason) {}

    /**
     * {@code store} gets the readable records and, for each, the partition it came from (the span writer
     * keeps rollup rows per partition). A decoding fault (not the record's: see {@link EventJson#decode}) is
     * thrown from here, which {@link ConsumerFaults#hold} counts as a failed attempt like any other.
     */
    public <T extends LoupeEvent, R> Uni<List<R>> take(
            ConsumerRecords<String, String> batch,
            Class<T> type,
            Predicate<T> complete,
            BiFunction<List<T>, int[], Uni<R>> store) {
        return take(batch, type, value -> EventJson.decode(value, type), complete, store);
    }

    /**
     * {@link #take(ConsumerRecords, Class, Predicate, BiFunction)} for any value type, read by {@code decode}
     * (for example {@code byte[]} values and {@code SpanJson::decode}: no String copy of each payload).
     * {@code decode} throws as {@link EventJson#decode} does; a dead letter carries the value as it came (bytes
     * as their UTF-8 text, see {@link DeadLetters#send}).
     */
    public <V, T extends LoupeEvent, R> Uni<List<R>> take(
            ConsumerRecords<String, V> batch,
            Class<T> type,
            Function<V, T> decode,
            Predicate<T> complete,
            BiFunction<List<T>, int[], Uni<R>> store) {
        List<T> good = new ArrayList<>(batch.count());
        List<ConsumerRecord<String, V>> sources = new ArrayList<>(batch.count());
        List<Letter> letters = new ArrayList<>();
        for (ConsumerRecord<String, V> record : batch) {
            try {
                T event = decode.apply(record.value());
                if (!complete.test(event)) {
                    throw new UnreadableRecordException(
                            type.getSimpleName() + " without its id, time or required fields");
                }
                good.add(event);
                sources.add(record);
            } catch (UnreadableRecordException e) {
                letters.add(new Letter(record, e.getMessage()));
            }
        }
        Uni<List<R>> stored = good.isEmpty()
                ? Uni.createFrom().item(List.of())
                : Uni.createFrom()
                        .deferred(() -> store.apply(good, partitions(sources)))
                        .map(List::of)
                        .onFailure(FailureKind::isPoison)
                        .recoverWithUni(e -> oneByOne(good, sources, store, type, letters));
        return stored.call(() -> deadLetter(letters));
    }

    private <V, T extends LoupeEvent, R> Uni<List<R>> oneByOne(
            List<T> good,
            List<ConsumerRecord<String, V>> sources,
            BiFunction<List<T>, int[], Uni<R>> store,
            Class<T> type,
            List<Letter> letters) {
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < good.size(); i++) {
            indexes.add(i);
        }
        List<R> results = new ArrayList<>();
        return Multi.createFrom()
                .iterable(indexes)
                .onItem()
                .transformToUniAndConcatenate(i -> Uni.createFrom()
                        .deferred(() -> store.apply(
                                List.of(good.get(i)), new int[] {sources.get(i).partition()}))
                        .invoke(results::add)
                        .replaceWithVoid()
                        .onFailure(FailureKind::isPoison)
                        .recoverWithItem(e -> {
                            letters.add(new Letter(
                                    sources.get(i),
                                    "the database refused " + type.getSimpleName() + " at offset "
                                            + sources.get(i).offset() + ": " + e.getMessage()));
                            return null;
                        }))
                .collect()
                .last()
                .map(v -> results);
    }

    private Uni<Void> deadLetter(List<Letter> letters) {
        if (letters.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.join()
                .all(letters.stream()
                        .map(l -> deadLetters.send(l.record(), l.reason()))
                        .toList())
                .andFailFast()
                .replaceWithVoid();
    }

    private static int[] partitions(List<? extends ConsumerRecord<String, ?>> sources) {
        int[] partitions = new int[sources.size()];
        for (int i = 0; i < partitions.length; i++) {
            partitions[i] = sources.get(i).partition();
        }
        return partitions;
    }
}
