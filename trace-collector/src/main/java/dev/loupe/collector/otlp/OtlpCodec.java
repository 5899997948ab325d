package dev.loupe.collector.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.loupe.collector.ingest.RequestBodies;
import dev.loupe.contracts.json.EventJson;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * OTLP/HTTP bodies in and out: gzip with the size limit applied after decompression, binary protobuf, and
 * OTLP's JSON flavour (hex trace and span ids, enums as integers, int64 as strings or numbers), which
 * protobuf's own JsonFormat does not read as such (it expects base64 ids).
 */
public final class OtlpCodec {
    public static final String PROTOBUF = "application/x-protobuf";
    public static final String JSON = "application/json";

    private OtlpCodec() {}

    /**
     * The body as sent, decompressed when gzip ({@link RequestBodies}, shared with the native endpoints); over
     * {@code limit} bytes after decompression → 413, not gzip → 400, another encoding → 415.
     */
    static byte[] decompress(byte[] body, String contentEncoding, int limit) {
        try {
            return RequestBodies.decode(body, contentEncoding, limit);
        } catch (RequestBodies.UndecodableBody e) {
            throw new OtlpException(e.reason().status(), e.getMessage(), null);
        }
    }

    static ExportTraceServiceRequest parse(byte[] body, boolean json) {
        if (body.length == 0) {
            return ExportTraceServiceRequest.getDefaultInstance();
        }
        try {
            if (!json) {
                return ExportTraceServiceRequest.parseFrom(body);
            }
            JsonNode tree = EventJson.mapper().readTree(body);
            if (tree == null || !tree.isObject()) {
                throw OtlpException.badRequest("expected a JSON ExportTraceServiceRequest object");
            }
            hexIdsToBase64(tree);
            ExportTraceServiceRequest.Builder builder = ExportTraceServiceRequest.newBuilder();
            JsonFormat.parser().ignoringUnknownFields().merge(tree.toString(), builder);
            return builder.build();
        } catch (InvalidProtocolBufferException e) {
            throw OtlpException.badRequest("not a valid ExportTraceServiceRequest: " + e.getMessage());
        } catch (IOException e) {
            throw OtlpException.badRequest("malformed JSON: " + e.getMessage());
        }
    }

    static byte[] encode(ExportTraceServiceResponse response, boolean json) {
        if (!json) {
            return response.toByteArray();
        }
        try {
            return JsonFormat.printer().print(response).getBytes(StandardCharsets.UTF_8);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A {@code google.rpc.Status} body (code = 1, message = 2), written by hand to avoid another dependency. */
    public static byte[] status(int code, String message, boolean json) {
        if (json) {
            ObjectNode node =
                    EventJson.mapper().createObjectNode().put("code", code).put("message", message);
            return node.toString().getBytes(StandardCharsets.UTF_8);
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeInt32(1, code);
            out.writeString(2, message);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void hexIdsToBase64(JsonNode request) {
        for (JsonNode resourceSpans : iterable(request, "resourceSpans", "resource_spans")) {
            for (JsonNode scopeSpans : iterable(resourceSpans, "scopeSpans", "scope_spans")) {
                for (JsonNode span : iterable(scopeSpans, "spans", "spans")) {
                    convert(
                            (ObjectNode) span,
                            "traceId",
                            "trace_id",
                            "spanId",
                            "span_id",
                            "parentSpanId",
                            "parent_span_id");
                    for (JsonNode link : iterable(span, "links", "links")) {
                        convert((ObjectNode) link, "traceId", "trace_id", "spanId", "span_id");
                    }
                }
            }
        }
    }

    private static Iterable<JsonNode> iterable(JsonNode node, String camel, String snake) {
        JsonNode array = node.has(camel) ? node.get(camel) : node.get(snake);
        if (array == null || !array.isArray()) {
            return List.of();
        }
        List<JsonNode> objects = new ArrayList<>();
        ((ArrayNode) array).forEach(n -> {
            if (n.isObject()) {
                objects.add(n);
            }
        });
        return objects;
    }

    private static void convert(ObjectNode node, String... names) {
        for (String name : names) {
            JsonNode value = node.get(name);
            if (value != null && value.isTextual()) {
                String hex = value.textValue();
                if (hex.length() % 2 != 0 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                    throw OtlpException.badRequest(name + " must be a hex string, got '" + hex + "'");
                }
                node.put(name, Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex)));
            }
        }
    }
}
