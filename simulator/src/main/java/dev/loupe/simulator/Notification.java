package dev.loupe.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** One alert of one notification alert-manager sent to the demo webhook. */
public record Notification(
        Instant receivedAt,
        String status,
        String alertname,
        JsonNode labels,
        String owner,
        String runbookUrl,
        String summary) {}
