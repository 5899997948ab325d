package dev.loupe.collector.ingest;

import dev.loupe.common.http.ItemRejection;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** The answer to a batch: how many items Kafka acknowledged, and which were rejected and why. */
@RegisterForReflection
public record BatchResult(int accepted, List<ItemRejection> rejected) {}
