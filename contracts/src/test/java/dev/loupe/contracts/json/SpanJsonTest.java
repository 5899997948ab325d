package dev.loupe.contracts.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.events.SpanRecord;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** {@link SpanJson} reads exactly what {@link EventJson#decode} reads, and refuses exactly what it refuses. */
class SpanJsonTest {
    private static final String[] TEXTS = {
        "",
        "plain",
        "quote \" and backslash \\ ",
        "tab\tnew\nline",
        "ünïcødé – ✓",
        "emoji 😀 pair",
        "\u0001control",
        "{\"looks\":\"like json\"}",
        "x".repeat(3000)
    };

    @Test
    void generatedSpansReadAsTheGeneralDecoderReadsThem() {
        Random random = new Random(24);
        for (int i = 0; i < 2_000; i++) {
            SpanRecord span = span(random);
            byte[] bytes = EventJson.encodeBytes(span);
            SpanRecord expected = EventJson.decode(new String(bytes, StandardCharsets.UTF_8), SpanRecord.class);
            SpanRecord actual = SpanJson.decode(bytes);
            assertThat(actual).isEqualTo(expected);
            assertThat(EventJson.encode(actual)).isEqualTo(EventJson.encode(expected));
            // the objects were kept as text, the same JSON as the maps encoded (a fresh read: the comparison
            // above iterated these maps, which gives up their text)
            SpanRecord fresh = SpanJson.decode(bytes);
            List<Function<SpanRecord, Map<String, ?>>> objects =
                    List.of(SpanRecord::attributes, SpanRecord::metadata, SpanRecord::redactions);
            for (Function<SpanRecord, Map<String, ?>> object : objects) {
                if (object.apply(expected) != null) {
                    assertThat(object.apply(fresh)).isInstanceOf(RawJsonMap.class);
                    String text = ((RawJsonMap<?>) object.apply(fresh)).json();
                    assertThat(text).isNotNull();
                    assertThat(EventJson.json(object.apply(fresh))).isSameAs(text);
                    assertThat(tree(text)).isEqualTo(tree(EventJson.encode(object.apply(expected))));
                }
            }
        }
    }

    private static JsonNode tree(String json) {
        try {
            return EventJson.mapper().readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theKeptTextIsStoredAsIsUntilTheMapIsChanged() {
        String json = "{\"schemaVersion\":1,\"projectId\":\"p\",\"spanId\":\"s\",\"attributes\":{ \"a\" : 1.50 ,"
                + "\"b\":[1,{\"c\":null}]},\"metadata\":{\"k\":\"v\"}}";
        SpanRecord span = SpanJson.decode(json.getBytes(StandardCharsets.UTF_8));
        assertThat(EventJson.json(span.attributes())).isEqualTo("{ \"a\" : 1.50 ,\"b\":[1,{\"c\":null}]}");
        assertThat(span.attributes().get("a")).isEqualTo(new BigDecimal("1.50"));
        assertThat(EventJson.json(span.attributes())).isEqualTo("{ \"a\" : 1.50 ,\"b\":[1,{\"c\":null}]}");
        span.metadata().put("k", "changed");
        assertThat(EventJson.json(span.metadata())).isEqualTo("{\"k\":\"changed\"}");
    }

    @Test
    void whatTheFastPathIsUnsureOfReadsAsTheGeneralDecoderReadsIt() {
        String base = "\"schemaVersion\":1,\"projectId\":\"p\",\"spanId\":\"s\",\"startTime\":\"2026-11-27T10:00:00Z\"";
        List<String> odd = List.of(
                "{" + base + ",\"metadata\":{\"n\":1,\"b\":true}}",
                "{" + base + ",\"redactions\":{\"email\":\"2\"}}",
                "{" + base + ",\"latencyMs\":\"12\",\"inputTokens\":3.0}",
                "{" + base + ",\"costUsd\":5}",
                "{" + base + ",\"costUsd\":\"0.5\"}",
                "{" + base + ",\"endTime\":\"2026-11-27T11:00:00+01:00\",\"receivedAt\":1764237600.5}",
                "{" + base + ",\"name\":42,\"prompt\":true}",
                "{" + base + ",\"truncated\":null,\"kind\":null,\"status\":null}",
                "{" + base + ",\"parsedOutput\":null}",
                "{" + base + ",\"parsedOutput\":[1,\"x\",{\"y\":2.5}]}",
                "{" + base + ",\"attributes\":null,\"metadata\":null}",
                "{" + base + ",\"unknown\":{\"deep\":[1,2,{\"x\":3}]},\"more\":[]}",
                "{" + base + ",\"attributes\":{\"a\":1},\"attributes\":{\"b\":2}}",
                "{" + base + ",\"attributes\":{\"a\":1,\"a\":2}}",
                "  \n{" + base + "}  ",
                "{" + base + "} trailing",
                "{" + base + ",\"schemaVersion\":\"1\"}");
        for (String json : odd) {
            SpanRecord expected = EventJson.decode(json, SpanRecord.class);
            assertThat(SpanJson.decode(json.getBytes(StandardCharsets.UTF_8)))
                    .as(json)
                    .isEqualTo(expected);
        }
    }

    @Test
    void unreadableSpansAreRefusedWithTheGeneralDecodersReason() {
        List<String> bad = List.of(
                "",
                "   ",
                "{nope",
                "[1,2]",
                "null",
                "{\"schemaVersion\":99,\"projectId\":\"p\"}",
                "{\"schemaVersion\":1}",
                "{\"schemaVersion\":1,\"projectId\":\"p\",\"kind\":\"ROBOT\"}",
                "{\"schemaVersion\":1,\"projectId\":\"p\",\"metadata\":{\"k\":{\"nested\":1}}}",
                "{\"schemaVersion\":1,\"projectId\":\"p\",\"attributes\":[1]}",
                "{\"schemaVersion\":1,\"projectId\":\"p\",\"attributes\":{\"a\":1}",
                "{\"schemaVersion\":1,\"projectId\":\"p\",\"prompt\":\"raw\u0001control\"}",
                "{\"schemaVersion\":1,\"projectId\":\"p\",\"startTime\":\"yesterday\"}");
        for (String json : bad) {
            String reason = reason(() -> EventJson.decode(json, SpanRecord.class));
            assertThat(reason(() -> SpanJson.decode(json.getBytes(StandardCharsets.UTF_8))))
                    .as(json)
                    .isEqualTo(reason);
        }
        assertThatThrownBy(() -> SpanJson.decode(null)).isInstanceOf(UnreadableRecordException.class);
    }

    @Test
    void badUtf8IsReadAsAStringDeserializerWouldHaveReadIt() {
        byte[] bytes = ("{\"schemaVersion\":1,\"projectId\":\"p\",\"prompt\":\"a?b\",\"attributes\":{\"x\":\"c?d\"}}")
                .getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '?') {
                bytes[i] = (byte) 0xC3; // a lead byte without its continuation
            }
        }
        SpanRecord expected = EventJson.decode(new String(bytes, StandardCharsets.UTF_8), SpanRecord.class);
        assertThat(SpanJson.decode(bytes)).isEqualTo(expected);
    }

    private static String reason(Runnable decode) {
        try {
            decode.run();
            return "read";
        } catch (UnreadableRecordException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    private static SpanRecord span(Random r) {
        Instant start = Instant.ofEpochSecond(1_700_000_000L + r.nextInt(100_000_000), r.nextInt(1_000_000_000));
        return new SpanRecord(
                r.nextInt(10) == 0 ? 1 : SchemaVersions.CURRENT,
                "project-" + r.nextInt(5),
                text(r),
                Long.toHexString(r.nextLong()),
                maybe(r, () -> Long.toHexString(r.nextLong())),
                SpanKind.values()[r.nextInt(SpanKind.values().length)],
                text(r),
                maybe(r, () -> text(r)),
                maybe(r, () -> text(r)),
                maybe(r, () -> text(r)),
                start,
                maybe(r, () -> start.plusMillis(r.nextInt(10_000))),
                maybe(r, () -> (long) r.nextInt(100_000)),
                maybe(r, () -> r.nextLong()),
                maybe(r, () -> (long) r.nextInt(5000)),
                maybe(r, () -> (long) r.nextInt(5000)),
                maybe(r, () -> 0L),
                maybe(r, () -> Long.MAX_VALUE),
                maybe(r, () -> (long) -r.nextInt(3)),
                maybe(r, () -> decimal(r)),
                maybe(r, () -> text(r)),
                maybe(r, () -> text(r)),
                r.nextBoolean(),
                maybe(r, () -> redactions(r)),
                maybe(r, () -> r.nextBoolean() ? JsonNodeFactory.instance.nullNode() : node(r, 0)),
                maybe(r, () -> text(r)),
                Outcome.values()[r.nextInt(Outcome.values().length)],
                maybe(r, () -> text(r)),
                maybe(r, () -> text(r)),
                maybe(r, () -> text(r)),
                maybe(r, () -> text(r)),
                maybe(r, () -> text(r)),
                maybe(r, () -> text(r)),
                maybe(r, () -> text(r)),
                maybe(r, () -> text(r)),
                maybe(r, () -> text(r)),
                maybe(r, () -> metadata(r)),
                maybe(r, () -> attributes(r, 0)),
                maybe(r, () -> start.plusSeconds(2)));
    }

    private interface Maker<T> {
        T make();
    }

    private static <T> T maybe(Random r, Maker<T> maker) {
        return r.nextInt(4) == 0 ? null : maker.make();
    }

    private static String text(Random r) {
        String t = TEXTS[r.nextInt(TEXTS.length)];
        return r.nextBoolean() ? t : t + r.nextInt();
    }

    private static BigDecimal decimal(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> BigDecimal.valueOf(r.nextInt(100));
            case 1 -> BigDecimal.valueOf(r.nextInt(1_000_000), 10);
            case 2 -> new BigDecimal("1E-12");
            default -> BigDecimal.valueOf(r.nextDouble());
        };
    }

    private static Map<String, Integer> redactions(Random r) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = r.nextInt(3); i > 0; i--) {
            m.put(text(r), r.nextInt(10) == 0 ? null : r.nextInt());
        }
        return m;
    }

    private static Map<String, String> metadata(Random r) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            m.put(text(r), r.nextInt(10) == 0 ? null : text(r));
        }
        return m;
    }

    private static Map<String, Object> attributes(Random r, int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = r.nextInt(5); i > 0; i--) {
            m.put(text(r), value(r, depth));
        }
        return m;
    }

    private static Object value(Random r, int depth) {
        return switch (r.nextInt(depth > 2 ? 6 : 8)) {
            case 0 -> null;
            case 1 -> text(r);
            case 2 -> r.nextInt();
            case 3 -> r.nextLong();
            case 4 -> decimal(r);
            case 5 -> r.nextBoolean();
            case 6 -> attributes(r, depth + 1);
            default -> {
                List<Object> list = new ArrayList<>();
                for (int i = r.nextInt(3); i > 0; i--) {
                    list.add(value(r, depth + 1));
                }
                yield list;
            }
        };
    }

    private static JsonNode node(Random r, int depth) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("answer", text(r));
        node.put("score", decimal(r));
        if (depth < 2 && r.nextBoolean()) {
            node.set("inner", node(r, depth + 1));
        }
        node.putArray("list").add(r.nextInt()).add(text(r));
        return node;
    }
}
