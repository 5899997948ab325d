package dev.loupe.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.json.EventJson;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link SpanRecordWriter} writes the very bytes {@link EventJson#encodeBytes} writes, for generated records with
 * every field null and non-null, maps of every kind (including empty, null values and Jackson-only values), JSON
 * parsed outputs, unicode (escapes, surrogate pairs, control characters) and big or odd numbers.
 */
class SpanRecordWriterTest {
    private static final String[] TEXTS = {
        "",
        "plain",
        "quote \" backslash \\ slash / tab \t newline \n nul \u0000 bell \u0007 del \u007f",
        "h\u00e9llo w\u00f6rld \u4e2d\u6587 \ud83d\ude00 \u2028\u2029 \ufeff",
        "lone surrogate-free emoji \ud83c\udf89\ud83c\udf89",
        "</script><!-- & ' >",
        "x".repeat(3000)
    };

    @Test
    void sameBytesAsEventJsonForGeneratedRecords() {
        Random random = new Random(2026);
        for (int n = 0; n < 5000; n++) {
            SpanRecord span = generate(random, n);
            byte[] expected = EventJson.encodeBytes(span);
            byte[] actual = SpanRecordWriter.encode(span);
            assertThat(new String(actual, StandardCharsets.UTF_8))
                    .as("record %d", n)
                    .isEqualTo(new String(expected, StandardCharsets.UTF_8));
            assertThat(actual).isEqualTo(expected);
        }
    }

    @Test
    void allNullAndAllSetRecords() {
        SpanRecord empty = new SpanRecord(
                0, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, false, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null);
        assertThat(SpanRecordWriter.encode(empty)).isEqualTo(EventJson.encodeBytes(empty));
        Random random = new Random(7);
        SpanRecord full = generate(random, -1);
        assertThat(SpanRecordWriter.encode(full)).isEqualTo(EventJson.encodeBytes(full));
    }

    /** n = -1: every field set; else each field null with probability 1/3. */
    private static SpanRecord generate(Random r, int n) {
        boolean all = n < 0;
        return new SpanRecord(
                r.nextBoolean() ? SchemaVersions.CURRENT : r.nextInt(),
                text(r, all),
                text(r, all),
                text(r, all),
                text(r, all),
                all || r.nextInt(3) > 0 ? SpanKind.values()[r.nextInt(SpanKind.values().length)] : null,
                text(r, all),
                text(r, all),
                text(r, all),
                text(r, all),
                instant(r, all),
                instant(r, all),
                number(r, all),
                number(r, all),
                number(r, all),
                number(r, all),
                number(r, all),
                number(r, all),
                number(r, all),
                decimal(r, all),
                text(r, all),
                text(r, all),
                r.nextBoolean(),
                all || r.nextInt(3) > 0 ? redactions(r) : null,
                all || r.nextInt(3) > 0 ? tree(r, 0) : null,
                text(r, all),
                all || r.nextInt(3) > 0 ? Outcome.values()[r.nextInt(Outcome.values().length)] : null,
                text(r, all),
                text(r, all),
                text(r, all),
                text(r, all),
                text(r, all),
                text(r, all),
                text(r, all),
                text(r, all),
                text(r, all),
                all || r.nextInt(3) > 0 ? metadata(r) : null,
                all || r.nextInt(3) > 0 ? attributes(r) : null,
                instant(r, all));
    }

    private static String text(Random r, boolean all) {
        if (!all && r.nextInt(3) == 0) {
            return null;
        }
        if (r.nextBoolean()) {
            return TEXTS[r.nextInt(TEXTS.length)];
        }
        StringBuilder out = new StringBuilder();
        for (int i = r.nextInt(40); i > 0; i--) {
            out.appendCodePoint(
                    switch (r.nextInt(4)) {
                        case 0 -> r.nextInt(0x20);
                        case 1 -> 0x20 + r.nextInt(0x5f);
                        case 2 -> 0xa0 + r.nextInt(0xd000);
                        default -> 0x10000 + r.nextInt(0x10000);
                    });
        }
        return out.toString();
    }

    private static Instant instant(Random r, boolean all) {
        if (!all && r.nextInt(3) == 0) {
            return null;
        }
        return switch (r.nextInt(4)) {
            case 0 -> Instant.ofEpochSecond(1_790_000_000L + r.nextInt(1_000_000));
            case 1 -> Instant.ofEpochSecond(1_790_000_000L, r.nextInt(1_000) * 1_000_000L);
            case 2 -> Instant.ofEpochSecond(r.nextInt(), r.nextInt(1_000_000_000));
            default -> r.nextBoolean() ? Instant.EPOCH : Instant.ofEpochSecond(-r.nextInt(1_000_000), 1);
        };
    }

    private static Long number(Random r, boolean all) {
        if (!all && r.nextInt(3) == 0) {
            return null;
        }
        return switch (r.nextInt(4)) {
            case 0 -> (long) r.nextInt(10_000);
            case 1 -> r.nextLong();
            case 2 -> r.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
            default -> 0L;
        };
    }

    private static BigDecimal decimal(Random r, boolean all) {
        if (!all && r.nextInt(3) == 0) {
            return null;
        }
        return switch (r.nextInt(5)) {
            case 0 -> new BigDecimal("0.0100");
            case 1 -> BigDecimal.valueOf(r.nextLong(), r.nextInt(20));
            case 2 -> new BigDecimal(new BigInteger(200, r), r.nextInt(60) - 30);
            case 3 -> new BigDecimal("1E+3");
            default -> BigDecimal.valueOf(r.nextDouble());
        };
    }

    private static Map<String, Integer> redactions(Random r) {
        Map<String, Integer> map = r.nextBoolean() ? new TreeMap<>() : new HashMap<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            map.put(TEXTS[r.nextInt(TEXTS.length)] + i, r.nextInt(5) == 0 ? null : r.nextInt());
        }
        return map;
    }

    private static Map<String, String> metadata(Random r) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = r.nextInt(5); i > 0; i--) {
            map.put(text(r, true) + i, text(r, false));
        }
        return map;
    }

    private static Map<String, Object> attributes(Random r) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = r.nextInt(8); i > 0; i--) {
            map.put(
                    "gen_ai." + i + text(r, true),
                    switch (r.nextInt(14)) {
                        case 0 -> null;
                        case 1 -> text(r, true);
                        case 2 -> r.nextLong();
                        case 3 -> r.nextInt();
                        case 4 -> r.nextBoolean();
                        case 5 -> decimal(r, true);
                        case 6 -> r.nextBoolean() ? r.nextDouble() * 1e300 : Double.NaN;
                        case 7 -> List.of("a", 1, 2.5, true);
                        case 8 -> Map.of("nested", List.of(Map.of("k", "v")));
                        case 9 -> tree(r, 0);
                        case 10 -> new BigInteger(100, r);
                        case 11 -> (float) r.nextDouble();
                        case 12 -> (short) r.nextInt();
                        default -> r.nextBoolean() ? Double.POSITIVE_INFINITY : -0.0;
                    });
        }
        return map;
    }

    private static JsonNode tree(Random r, int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (depth > 3 ? r.nextInt(6) : r.nextInt(8)) {
            case 0:
                return f.nullNode();
            case 1:
                return f.textNode(text(r, true));
            case 2:
                return f.numberNode(r.nextLong());
            case 3:
                return f.numberNode(new BigDecimal("1.50"));
            case 4:
                return f.numberNode(r.nextDouble());
            case 5:
                return f.booleanNode(r.nextBoolean());
            case 6: {
                var array = f.arrayNode();
                for (int i = r.nextInt(4); i > 0; i--) {
                    array.add(tree(r, depth + 1));
                }
                return array;
            }
            default: {
                ObjectNode object = f.objectNode();
                for (int i = r.nextInt(4); i > 0; i--) {
                    object.set(text(r, true), tree(r, depth + 1));
                }
                return object;
            }
        }
    }
}
