package dev.loupe.feedback;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.common.http.JsonPaths;
import dev.loupe.common.http.ProblemException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads {@code {"feedback": [item…]}} item by item, as the collector reads its native batches: a whole-body
 * problem is a 400/413, a bad item is rejected with its JSON path and the others go on.
 */
final class FeedbackBatchReader {
    static final String FIELD = "feedback";

    record Batch(List<FeedbackIntake.Item> items, List<FeedbackBatchResult.Rejection> rejected) {
    }

    private FeedbackBatchReader() {
    }

    static Batch read(ObjectMapper mapper, JsonNode body, int maxItems, int maxTextLength, Instant now) {
        if (body == null || !body.isObject()) {
            throw ProblemException.badRequest("body", "expected a JSON object {\"" + FIELD + "\": [...]}");
        }
        JsonNode array = body.get(FIELD);
        if (array == null || !array.isArray()) {
            throw ProblemException.badRequest(FIELD, "is required and must be an array");
        }
        if (array.size() > maxItems) {
            throw ProblemException.tooLarge(FIELD, "a batch holds at most " + maxItems + " items; this one has "
                    + array.size());
        }
        List<FeedbackIntake.Item> items = new ArrayList<>(array.size());
        List<FeedbackBatchResult.Rejection> rejected = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            String prefix = FIELD + "[" + i + "]";
            JsonNode node = array.get(i);
            if (!node.isObject()) {
                rejected.add(new FeedbackBatchResult.Rejection(i, prefix, "must be a JSON object"));
                continue;
            }
            try {
                FeedbackInput input = mapper.treeToValue(node, FeedbackInput.class);
                Optional<FeedbackValidator.FieldProblem> problem =
                        FeedbackValidator.firstProblem(input, maxTextLength, now);
                if (problem.isPresent()) {
                    rejected.add(new FeedbackBatchResult.Rejection(i, prefix + "." + problem.get().field(),
                            problem.get().reason()));
                } else {
                    items.add(new FeedbackIntake.Item(i, input));
                }
            } catch (JsonMappingException e) {
                String path = JsonPaths.describe(e.getPath());
                rejected.add(new FeedbackBatchResult.Rejection(i, path.isEmpty() ? prefix : prefix + "." + path,
                        e.getOriginalMessage()));
            } catch (JsonProcessingException e) {
                rejected.add(new FeedbackBatchResult.Rejection(i, prefix, e.getOriginalMessage()));
            }
        }
        return new Batch(items, rejected);
    }
}
