package dev.loupe.testing;

/** A project seeded for tests, with one key of each kind the local stack hands out. */
public record TestProject(String id, String secretKey, String publicKey, String adminKey) {}
