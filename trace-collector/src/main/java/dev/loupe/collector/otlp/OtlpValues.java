package dev.loupe.collector.otlp;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** OTLP attribute values as plain Java values (strings, booleans, longs, doubles, lists, maps). */
final class OtlpValues {
    private OtlpValues() {}

    static Map<String, Object> toMap(List<KeyValue> attributes) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (KeyValue kv : attributes) {
            map.put(kv.getKey(), value(kv.getValue()));
        }
        return map;
    }

    static Object value(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case BOOL_VALUE -> v.getBoolValue();
            case INT_VALUE -> v.getIntValue();
            case DOUBLE_VALUE -> v.getDoubleValue();
            case BYTES_VALUE ->
                Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
            case ARRAY_VALUE -> {
                List<Object> list = new ArrayList<>();
                v.getArrayValue().getValuesList().forEach(item -> list.add(value(item)));
                yield list;
            }
            case KVLIST_VALUE -> toMap(v.getKvlistValue().getValuesList());
            default -> null;
        };
    }

    static String hex(ByteString id) {
        return id.isEmpty() ? null : HexFormat.of().formatHex(id.toByteArray());
    }
}
