package dev.loupe.aggregator.tenancy;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** A key as handed out once: the secret {@code key} is never stored nor shown again. */
@RegisterForReflection
public record IssuedKey(String keyId, String name, List<String> scopes, String key) {}
