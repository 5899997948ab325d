package dev.loupe.client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a batch into request bodies: one endpoint per body ({@code {"spans": [...]}} or
 * {@code {"decisions": [...]}}), in queue order, none over {@code maxBytes} unless a single item is.
 */
final class BatchBodies {
    private BatchBodies() {}

    /** One request: where it goes, its body, and how many items it carries. */
    record Body(Telemetry.Endpoint endpoint, byte[] bytes, int items) {}

    static List<Body> of(List<Telemetry> batch, int maxBytes) {
        List<Body> bodies = new ArrayList<>();
        for (Telemetry.Endpoint endpoint : Telemetry.Endpoint.values()) {
            byte[] open = ("{\"" + endpoint.arrayField + "\":[").getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream body = null;
            int items = 0;
            for (Telemetry item : batch) {
                if (item.endpoint() != endpoint) {
                    continue;
                }
                byte[] json = Json.bytes(item.json());
                // open + items + commas + "]}": start a new body when this item would push it over the limit
                if (body != null && body.size() + 1 + json.length + 2 > maxBytes) {
                    bodies.add(close(endpoint, body, items));
                    body = null;
                }
                if (body == null) {
                    body = new ByteArrayOutputStream();
                    body.writeBytes(open);
                    items = 0;
                } else {
                    body.write(',');
                }
                body.writeBytes(json);
                items++;
            }
            if (body != null) {
                bodies.add(close(endpoint, body, items));
            }
        }
        return bodies;
    }

    private static Body close(Telemetry.Endpoint endpoint, ByteArrayOutputStream body, int items) {
        body.write(']');
        body.write('}');
        return new Body(endpoint, body.toByteArray(), items);
    }
}
