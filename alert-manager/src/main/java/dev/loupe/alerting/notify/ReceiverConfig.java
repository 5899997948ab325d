package dev.loupe.alerting.notify;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A named receiver of a project ({@code PUT /v1/receivers/{name}}): its {@code type} (webhook, slack,
 * pagerduty, email, alertmanager) and the type's settings as given (url, routingKey, to…).
 */
public record ReceiverConfig(String projectId, String name, String type, JsonNode settings) {}
