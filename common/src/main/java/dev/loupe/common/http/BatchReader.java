package dev.loupe.common.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads {@code {"<field>": [item…]}} item by item, so one bad item is rejected with its path and the rest go
 * on (the collector's native batches, feedback back-fills). A whole-body problem is a 400 or 413.
 *
 * <p>Two entries with the same answers: {@link #read(ObjectMapper, byte[], String, int, Class, Function)} streams
 * the raw body (the collector's hot path: no tree, each item copied into a {@link TokenBuffer} and bound from it) and
 * {@link #read(ObjectMapper, JsonNode, String, int, Class, Function)} walks a tree already read.
 */
public final class BatchReader {
    private BatchReader() {}

    /** An item that read and validated, with its index in the batch. */
    public record Item<T>(int index, T value) {}

    /** The items that passed and the ones rejected with their JSON path. */
    public record Batch<T>(List<Item<T>> items, List<ItemRejection> rejected) {}

    /**
     * Reads the raw JSON {@code body} with a streaming parser of {@code mapper}'s factory, answering exactly what
     * reading it to a tree and calling {@link #read(ObjectMapper, JsonNode, String, int, Class, Function)} answers:
     * malformed JSON anywhere in the top-level value is a 400 naming {@code body} (as the problem mapper words a
     * Jackson parse failure), then a non-object body, a missing or non-array field (the last one wins when it is
     * repeated, as in a tree) and more than {@code maxItems} items (counted to the end) are the same 400 / 413.
     * Anything after the top-level value is not read, as Jackson's tree reading does not.
     */
    public static <T> Batch<T> read(
            ObjectMapper mapper,
            byte[] body,
            String field,
            int maxItems,
            Class<T> type,
            Function<T, Optional<FieldProblem>> validator) {
        try (JsonParser parser = mapper.getFactory().createParser(body)) {
            return stream(mapper.readerFor(type), parser, field, maxItems, validator);
        } catch (JsonProcessingException e) {
            // only the parser's own failures get here (an item's binding failure is that item's rejection)
            throw malformed(e);
        } catch (CharConversionException e) {
            throw ProblemException.badRequest(
                    "body", "malformed JSON: not valid UTF-8, UTF-16 or UTF-32: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array has no I/O of its own
        }
    }

    private static ProblemException malformed(JsonProcessingException e) {
        Problem problem = ProblemMapper.fromJson(e);
        return new ProblemException(problem.status(), problem.title(), problem.detail(), problem.field(), null, null);
    }

    private static <T> Batch<T> stream(
            ObjectReader reader,
            JsonParser parser,
            String field,
            int maxItems,
            Function<T, Optional<FieldProblem>> validator)
            throws IOException {
        boolean bigDecimals = reader.isEnabled(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        JsonToken token = parser.nextToken();
        if (token != JsonToken.START_OBJECT) {
            if (token != null) {
                parser.skipChildren(); // a malformed array still answers "malformed JSON"
                parser.finishToken(); // and so does an unterminated string
            }
            throw ProblemException.badRequest("body", "expected a JSON object {\"" + field + "\": [...]}");
        }
        Batch<T> batch = null;
        ProblemException problem = null;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            token = parser.nextToken();
            if (!field.equals(name)) {
                parser.skipChildren();
                continue;
            }
            // a repeated field replaces the earlier one, as in a tree
            batch = null;
            problem = null;
            if (token != JsonToken.START_ARRAY) {
                parser.skipChildren();
                problem = ProblemException.badRequest(field, "is required and must be an array");
                continue;
            }
            List<Item<T>> items = new ArrayList<>();
            List<ItemRejection> rejected = new ArrayList<>();
            int count = 0;
            while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                int i = count++;
                if (count > maxItems) {
                    // counted to the end for the message; the items read so far are dropped
                    items = List.of();
                    rejected = List.of();
                    parser.skipChildren();
                    continue;
                }
                String prefix = field + "[" + i + "]";
                if (token != JsonToken.START_OBJECT) {
                    parser.skipChildren();
                    rejected.add(new ItemRejection(i, prefix, "must be a JSON object"));
                    continue;
                }
                // outside the try: a syntax error here is the whole body's, not this item's
                TokenBuffer copy = new TokenBuffer(parser);
                copyItem(parser, copy, bigDecimals);
                read(reader, copy, prefix, i, validator, items, rejected);
            }
            if (count > maxItems) {
                problem = ProblemException.tooLarge(
                        field, "a batch holds at most " + maxItems + " items; this one has " + count);
            } else {
                batch = new Batch<>(items, rejected);
            }
        }
        if (problem != null) {
            throw problem;
        }
        if (batch == null) {
            throw ProblemException.badRequest(field, "is required and must be an array");
        }
        return batch;
    }

    /**
     * Copies the object the parser is at, token by token. A fraction is stored as the tree reader stored it (a
     * {@code DecimalNode}: {@code BigDecimal} without trailing zeros), so an item binds to the same values ({@code
     * 0.0100} → {@code 0.01}) and an error quotes the same text ({@code 1e300} → {@code 1E+300}) as before.
     */
    private static void copyItem(JsonParser parser, TokenBuffer out, boolean bigDecimals) throws IOException {
        int depth = 0;
        JsonToken token = parser.currentToken();
        while (true) {
            if (token == JsonToken.VALUE_NUMBER_FLOAT && bigDecimals && !parser.isNaN()) {
                out.writeNumber(stripped(parser.getDecimalValue()));
            } else {
                out.copyCurrentEvent(parser);
            }
            if (token.isStructStart()) {
                depth++;
            } else if (token.isStructEnd()) {
                depth--;
            }
            if (depth == 0) {
                return;
            }
            token = parser.nextToken(); // end of input inside the object is the parser's error
        }
    }

    private static BigDecimal stripped(BigDecimal value) {
        try {
            return value.stripTrailingZeros(); // as Jackson's JsonNodeDeserializer, which ignores its failure too
        } catch (ArithmeticException e) {
            return value;
        }
    }

    private static <T> void read(
            ObjectReader reader,
            TokenBuffer item,
            String prefix,
            int index,
            Function<T, Optional<FieldProblem>> validator,
            List<Item<T>> items,
            List<ItemRejection> rejected)
            throws IOException {
        try (JsonParser itemParser = item.asParser(reader)) {
            T value = reader.readValue(itemParser);
            Optional<FieldProblem> problem = validator.apply(value);
            if (problem.isPresent()) {
                rejected.add(new ItemRejection(
                        index,
                        prefix + "." + problem.get().field(),
                        problem.get().reason()));
            } else {
                items.add(new Item<>(index, value));
            }
        } catch (JsonMappingException e) {
            String path = JsonPaths.describe(e.getPath());
            rejected.add(
                    new ItemRejection(index, path.isEmpty() ? prefix : prefix + "." + path, e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            rejected.add(new ItemRejection(index, prefix, e.getOriginalMessage()));
        }
    }

    /** Reads a body already read to a tree (feedback-service's back-fill). */
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
