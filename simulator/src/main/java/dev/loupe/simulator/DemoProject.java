package dev.loupe.simulator;

/** The keys {@code POST /v1/projects} hands out once. */
public record DemoProject(String id, String name, String ingestKey, String feedbackKey, String adminKey) {}
