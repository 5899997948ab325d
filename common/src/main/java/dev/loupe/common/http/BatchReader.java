package dev.loupe.common.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads {@code {"<field>": [item…]}} item by item, so one bad item is rejected with its path and the rest go
 * on (the collector's native batches, feedback back-fills). A whole-body problem is a 400 or 413.
 */
public final class BatchReader {
    private BatchReader() {}

    /** An item that read and validated, with its index in the batch. */
    public record Item<T>(int index, T value) {}

    /** The items that passed and the ones rejected with their JSON path. */
    public record Batch<T>(List<Item<T>> items, List<ItemRejection> rejected) {}

    public static <T> Batch<T> read(
            ObjectMapper mapper,
            JsonNode body,
            String field,
            int maxItems,
            Class<T> type,
            Function<T, Optional<FieldProblem>> validator) {
        if (body == null || !body.isObject()) {
            throw ProblemException.badRequest("body", "expected a JSON object {\"" + field + "\": [...]}");
        }
        JsonNode array = body.get(field);
        if (array == null || !array.isArray()) {
            throw ProblemException.badRequest(field, "is required and must be an array");
        }
        if (array.size() > maxItems) {
            throw ProblemException.tooLarge(
                    field, "a batch holds at most " + maxItems + " items; this one has " + array.size());
        }
        List<Item<T>> items = new ArrayList<>(array.size());
        List<ItemRejection> rejected = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            String prefix = field + "[" + i + "]";
            try {
                JsonNode node = array.get(i);
                if (!node.isObject()) {
                    rejected.add(new ItemRejection(i, prefix, "must be a JSON object"));
                    continue;
                }
                T value = mapper.treeToValue(node, type);
                Optional<FieldProblem> problem = validator.apply(value);
                if (problem.isPresent()) {
                    rejected.add(new ItemRejection(
                            i,
                            prefix + "." + problem.get().field(),
                            problem.get().reason()));
                } else {
                    items.add(new Item<>(i, value));
                }
            } catch (JsonMappingException e) {
                String path = JsonPaths.describe(e.getPath());
                rejected.add(
                        new ItemRejection(i, path.isEmpty() ? prefix : prefix + "." + path, e.getOriginalMessage()));
            } catch (JsonProcessingException e) {
                rejected.add(new ItemRejection(i, prefix, e.getOriginalMessage()));
            }
        }
        return new Batch<>(items, rejected);
    }
}
