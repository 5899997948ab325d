package dev.loupe.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.common.http.BatchReader;
import dev.loupe.common.http.FieldProblem;
import dev.loupe.common.http.ItemRejection;
import dev.loupe.common.http.ProblemException;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.contracts.wire.DecisionInput;
import dev.loupe.contracts.wire.SpanInput;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link BatchReader}'s streaming reader (what {@code POST /v1/spans} and {@code /v1/decisions} run) against the
 * tree reader it replaced: for every body, the same items (compared as their Kafka JSON), the same rejections and
 * the same 400 / 413 (status, field, message). Bodies: hand-written edge cases, the fuzz corpus, and seeded
 * mutations of valid batches (truncations, inserted bytes).
 */
class StreamingBatchReaderTest {
    static final int MAX = 5;
    private static final ObjectMapper MAPPER = EventJson.mapper();
    private static final String SPAN =
            "{\"traceId\":\"0af7651916cd43dd8448eb211c80319c\",\"spanId\":\"b7ad6b7169203331\","
                    + "\"kind\":\"LLM\",\"name\":\"chat\",\"model\":\"gpt-4o\",\"startTime\":\"2026-11-27T10:00:00Z\","
                    + "\"endTime\":\"2026-11-27T10:00:01.5Z\",\"inputTokens\":12,\"costUsd\":0.0100,"
                    + "\"prompt\":\"h\\u00e9llo \\ud83d\\ude00\",\"attributes\":{\"a\":1.50,\"b\":[1,{\"c\":null}],\"d\":1e2},"
                    + "\"parsedOutput\":{\"x\":[1.0,2]},\"metadata\":{\"k\":\"v\"}}";

    static String spans(String items) {
        return "{\"spans\":[" + items + "]}";
    }

    @Test
    void edgeCasesAnswerAsTheTreeReaderDid() {
        List<String> bodies = List.of(
                "",
                "   ",
                "null",
                "[]",
                "[1,2",
                "\"abc",
                "\"abc\"",
                "12",
                "12abc",
                "{}",
                "{",
                "{\"spans\":",
                "{\"spans\":null}",
                "{\"spans\":{}}",
                "{\"spans\":\"x\", garbage",
                "{\"spans\":[]}",
                "{\"spans\":[]} trailing garbage",
                "{\"spans\":[]}]]]",
                "{\"spans\":[]}{\"spans\":[1]}",
                spans(SPAN),
                spans(SPAN + "," + SPAN),
                spans(SPAN + ",[]," + SPAN + ",[[1,2],[3]],1,\"s\",null,true"),
                spans("[" + SPAN + "]"),
                spans("{\"traceId\":5}"),
                spans("{\"inputTokens\":\"many\"}"),
                spans("{\"inputTokens\":1.5}"),
                spans("{\"inputTokens\":1e400}"),
                spans("{\"kind\":\"NOPE\"}"),
                spans("{\"startTime\":\"yesterday\"}"),
                spans("{\"attributes\":[1]}"),
                spans("{\"metadata\":{\"k\":{\"n\":1}}}"),
                spans("{\"model\":1.0e2,\"traceId\":\"0af7651916cd43dd8448eb211c80319c\"}"),
                spans("{}"),
                spans(SPAN + ",{\"traceId\":\"x\"") + "}",
                spans(SPAN + ",{\"traceId\":\"x\"}"),
                spans(SPAN + ",{\"name\":\"unterminated}"),
                spans(SPAN + ",{\"name\":\"bad \\q escape\"}"),
                spans(SPAN + ",{\"name\":\"" + "\u0001" + "\"}"),
                "{\"before\":{\"a\":[1,2,{\"b\":\"c\"}]},\"spans\":[" + SPAN + "],\"after\":[[[]]],\"z\":\"q\"}",
                "{\"before\":1,\"spans\":[" + SPAN + "],\"after\":[1,}",
                "{\"spans\":[" + SPAN + "],\"after\":\"unterminated}",
                "{\"spans\":[1],\"spans\":[" + SPAN + "]}",
                "{\"spans\":[" + SPAN + "],\"spans\":7}",
                "{\"spans\":[1,2,3,4,5,6],\"spans\":[" + SPAN + "]}",
                "{\"spans\":[" + SPAN + "],\"spans\":[1,2,3,4,5,6]}",
                spans("1,2,3,4,5"),
                spans("1,2,3,4,5,6"),
                spans(String.join(",", java.util.Collections.nCopies(9, SPAN))),
                spans("1,2,3,4,5,6,[") + "}",
                "{\"spans\":[1,2,3,4,5,6,7,8]} garbage",
                "{\"sp\\u0061ns\":[" + SPAN + "]}",
                "{\"spans\":[" + "[".repeat(300) + "]".repeat(300) + "]}",
                "{\"spans\":[{\"attributes\":{\"a\":" + "[".repeat(300) + "]".repeat(300) + "}}]}",
                "{\"spans\":[{\"parsedOutput\":" + "[".repeat(250) + "]".repeat(250) + "}]}");
        for (String body : bodies) {
            sameAnswer(body.getBytes(StandardCharsets.UTF_8));
        }
        sameAnswer(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 0, 1, 2, 3, 4});
        sameAnswer(new byte[] {0, 0, 0, '{', 0, 0, 0, '}'});
        sameAnswer(("{\"spans\":[{\"name\":\"" + "\u00e9" + "\"}]}").getBytes(StandardCharsets.UTF_16BE));
        sameAnswer(new byte[] {
            '{',
            '"',
            's',
            'p',
            'a',
            'n',
            's',
            '"',
            ':',
            '[',
            '{',
            '"',
            'n',
            '"',
            ':',
            '"',
            (byte) 0xc3,
            '"',
            '}',
            ']',
            '}'
        });
    }

    @Test
    void namedEdgeCases() {
        assertThat(problem("")).isEqualTo("400 body expected a JSON object {\"spans\": [...]}");
        assertThat(problem("[1]")).isEqualTo("400 body expected a JSON object {\"spans\": [...]}");
        assertThat(problem("{\"spans\":[1]")).startsWith("400 body malformed JSON: Unexpected end-of-input");
        assertThat(problem("{\"other\":[]}")).isEqualTo("400 spans is required and must be an array");
        assertThat(problem(spans("1,2,3,4,5,6,7")))
                .isEqualTo("413 spans a batch holds at most 5 items; this one has 7");
        BatchReader.Batch<SpanInput> batch = stream(
                ("{\"x\":[1],\"spans\":[" + SPAN + ",[" + SPAN + "],{\"traceId\":[]}],\"y\":{}} garbage")
                        .getBytes(StandardCharsets.UTF_8),
                "spans",
                SpanInput.class,
                SpanValidator::firstProblem);
        assertThat(batch.items()).extracting(BatchReader.Item::index).containsExactly(0);
        assertThat(batch.rejected()).extracting(ItemRejection::index).containsExactly(1, 2);
        assertThat(batch.rejected().get(0).field()).isEqualTo("spans[1]");
        assertThat(batch.rejected().get(0).reason()).isEqualTo("must be a JSON object");
        assertThat(batch.rejected().get(1).field()).isEqualTo("spans[2].traceId");
    }

    @Test
    void fuzzCorpusAnswersAsTheTreeReaderDid() throws IOException {
        Path root = Path.of("src/test/resources/dev/loupe/collector/ingest/NativeIngestFuzzTestInputs");
        for (String dir : List.of("spans", "decisions")) {
            try (Stream<Path> files = Files.list(root.resolve(dir))) {
                for (Path file : files.toList()) {
                    byte[] body = Files.readAllBytes(file);
                    if (dir.equals("spans")) {
                        sameAnswer(body);
                    } else {
                        sameAnswer(body, "decisions", DecisionInput.class, DecisionValidator::firstProblem);
                    }
                }
            }
        }
    }

    @Test
    void mutatedBatchesAnswerAsTheTreeReaderDid() throws IOException {
        byte[] valid;
        try (InputStream in = getClass().getResourceAsStream("NativeIngestFuzzTestInputs/spans/valid-full")) {
            valid = in.readAllBytes();
        }
        List<byte[]> seeds =
                List.of(valid, spans(SPAN + "," + SPAN + ",{\"kind\":\"TOOL\"}").getBytes(StandardCharsets.UTF_8));
        byte[] noise = "{}[],:\"\\0123456789.eE-+ tfn\u00e9x".getBytes(StandardCharsets.UTF_8);
        Random random = new Random(24);
        for (int n = 0; n < 3000; n++) {
            byte[] seed = seeds.get(n % seeds.size());
            byte[] body;
            switch (n % 3) {
                case 0 -> body = java.util.Arrays.copyOf(seed, random.nextInt(seed.length + 1));
                case 1 -> {
                    body = seed.clone();
                    for (int k = 0; k < 1 + random.nextInt(3); k++) {
                        body[random.nextInt(body.length)] = noise[random.nextInt(noise.length)];
                    }
                }
                default -> {
                    int at = random.nextInt(seed.length);
                    List<Byte> bytes = new ArrayList<>();
                    for (byte b : seed) {
                        bytes.add(b);
                    }
                    bytes.remove(at);
                    body = new byte[bytes.size()];
                    for (int i = 0; i < body.length; i++) {
                        body[i] = bytes.get(i);
                    }
                }
            }
            sameAnswer(body);
        }
    }

    private static void sameAnswer(byte[] body) {
        sameAnswer(body, "spans", SpanInput.class, SpanValidator::firstProblem);
    }

    private static <T> void sameAnswer(
            byte[] body, String field, Class<T> type, Function<T, Optional<FieldProblem>> validator) {
        String expected = treeAnswer(body, field, type, validator);
        String actual;
        try {
            actual = describe(BatchReader.read(MAPPER, body, field, MAX, type, validator));
        } catch (ProblemException e) {
            actual = describe(e);
        }
        assertThat(actual).as(new String(body, StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    /** What the endpoint answered before: Jackson's tree (an empty body arrives as null), then the tree reader. */
    private static <T> String treeAnswer(
            byte[] body, String field, Class<T> type, Function<T, Optional<FieldProblem>> validator) {
        JsonNode tree;
        try {
            tree = body.length == 0 ? null : MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return "400 body malformed JSON: " + e.getOriginalMessage(); // ProblemMapper.fromJson
        } catch (CharConversionException e) {
            return "400 body malformed JSON: not valid UTF-8, UTF-16 or UTF-32: " + e.getMessage();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        try {
            return describe(BatchReader.read(MAPPER, tree, field, MAX, type, validator));
        } catch (ProblemException e) {
            return describe(e);
        }
    }

    private static String problem(String body) {
        try {
            BatchReader.read(
                    MAPPER,
                    body.getBytes(StandardCharsets.UTF_8),
                    "spans",
                    MAX,
                    SpanInput.class,
                    SpanValidator::firstProblem);
        } catch (ProblemException e) {
            return describe(e);
        }
        throw new AssertionError("no problem for " + body);
    }

    private static <T> BatchReader.Batch<T> stream(
            byte[] body, String field, Class<T> type, Function<T, Optional<FieldProblem>> validator) {
        return BatchReader.read(MAPPER, body, field, MAX, type, validator);
    }

    private static String describe(ProblemException e) {
        return e.status() + " " + e.toProblem().field() + " " + e.getMessage();
    }

    private static String describe(BatchReader.Batch<?> batch) {
        StringBuilder out = new StringBuilder("items:");
        for (BatchReader.Item<?> item : batch.items()) {
            out.append('\n').append(item.index()).append(' ').append(EventJson.encode(item.value()));
        }
        out.append("\nrejected:");
        for (ItemRejection rejection : batch.rejected()) {
            out.append('\n').append(rejection);
        }
        return out.toString();
    }
}
