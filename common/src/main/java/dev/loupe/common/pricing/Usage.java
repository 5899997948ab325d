package dev.loupe.common.pricing;

/**
 * The tokens of one call, as stored on a span: {@code input} includes {@code cachedRead} and {@code cacheWrite},
 * {@code output} includes {@code reasoning} (docs/architecture.md). Any of them may be null (not reported).
 */
public record Usage(Long input, Long output, Long cachedRead, Long cacheWrite, Long reasoning) {}
