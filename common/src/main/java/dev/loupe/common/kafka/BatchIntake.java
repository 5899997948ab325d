package dev.loupe.common.kafka;

import dev.loupe.contracts.events.LoupeEvent;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.contracts.json.UnreadableRecordException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;

/**
 * The shared path of every batch consumer: decode, dead-letter what cannot be read, store the rest in one
 * transaction, and complete only when that transaction has committed (the batch's offsets are committed
 * after that). A database outage is retried until it ends. When the database refuses the batch because of
 * one record's data, the batch is stored again one record at a time, so only the guilty record is
 * dead-lettered and the partition keeps flowing. Not a bean: each service produces one around its own
 * {@link DeadLetters}.
 */
public class BatchIntake {
    private final DeadLetters deadLetters;

    public BatchIntake(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    /**
     * {@code store} gets the readable records and, for each, the partition it came from (the span writer
     * keeps rollup rows per partition).
     */
    public <T extends LoupeEvent, R> Uni<List<R>> take(
            ConsumerRecords<String, String> batch,
            Class<T> type,
            Predicate<T> complete,
            BiFunction<List<T>, int[], Uni<R>> store) {
        List<T> good = new ArrayList<>(batch.count());
        List<ConsumerRecord<String, String>> sources = new ArrayList<>(batch.count());
        List<Uni<Void>> dead = new ArrayList<>();
        for (ConsumerRecord<String, String> record : batch) {
            try {
                T event = EventJson.decode(record.value(), type);
                if (!complete.test(event)) {
                    throw new UnreadableRecordException(
                            type.getSimpleName() + " without its id, time or required fields");
                }
                good.add(event);
                sources.add(record);
            } catch (UnreadableRecordException e) {
                dead.add(deadLetters.send(record, e.getMessage()));
            }
        }
        Uni<Void> deadLettered = dead.isEmpty()
                ? Uni.createFrom().voidItem()
                : Uni.join().all(dead).andFailFast().replaceWithVoid();
        if (good.isEmpty()) {
            return deadLettered.map(v -> List.of());
        }
        String what = batch.count() + " records of " + type.getSimpleName();
        return deadLettered
                .chain(() -> StoreRetry.untilStored(
                        Uni.createFrom().deferred(() -> store.apply(good, partitions(sources))), what))
                .map(List::of)
                .onFailure(UnreadableRecordException.class)
                .recoverWithUni(e -> oneByOne(good, sources, store, type));
    }

    private <T extends LoupeEvent, R> Uni<List<R>> oneByOne(
            List<T> good,
            List<ConsumerRecord<String, String>> sources,
            BiFunction<List<T>, int[], Uni<R>> store,
            Class<T> type) {
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < good.size(); i++) {
            indexes.add(i);
        }
        List<R> results = new ArrayList<>();
        return Multi.createFrom()
                .iterable(indexes)
                .onItem()
                .transformToUniAndConcatenate(i -> StoreRetry.untilStored(
                                Uni.createFrom()
                                        .deferred(() -> store.apply(
                                                List.of(good.get(i)),
                                                new int[] {sources.get(i).partition()})),
                                type.getSimpleName() + " at offset "
                                        + sources.get(i).offset())
                        .invoke(results::add)
                        .replaceWithVoid()
                        .onFailure(UnreadableRecordException.class)
                        .recoverWithUni(e -> deadLetters.send(sources.get(i), e.getMessage())))
                .collect()
                .last()
                .map(v -> results);
    }

    private static int[] partitions(List<ConsumerRecord<String, String>> sources) {
        int[] partitions = new int[sources.size()];
        for (int i = 0; i < partitions.length; i++) {
            partitions[i] = sources.get(i).partition();
        }
        return partitions;
    }
}
