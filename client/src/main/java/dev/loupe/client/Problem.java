package dev.loupe.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/** The parts of an {@code application/problem+json} answer the client reports; tolerant of any other body. */
record Problem(String title, String detail, String field) {

    static Problem parse(String body) {
        JsonNode json = parseObject(body);
        if (!json.isEmpty()) {
            return new Problem(text(json, "title"), text(json, "detail"), text(json, "field"));
        }
        String raw = body == null || body.isBlank() ? null : body.length() > 200 ? body.substring(0, 200) + "…" : body;
        return new Problem(null, raw, null);
    }

    /** The body as a JSON object; an empty one when it is not one. */
    static JsonNode parseObject(String body) {
        try {
            JsonNode json = body == null || body.isBlank() ? null : Json.MAPPER.readTree(body);
            if (json != null && json.isObject()) {
                return json;
            }
        } catch (IOException e) {
            // not JSON
        }
        return Json.object();
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    @Override
    public String toString() {
        return (title == null ? "" : title)
                + (detail == null ? "" : ": " + detail)
                + (field == null ? "" : " (field " + field + ")");
    }
}
