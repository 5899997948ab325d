package dev.loupe.evals.judge;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;

/** The LLM judge: an OpenAI-compatible chat-completions endpoint and how hard Loupe may lean on it ({@code loupe.judge.*}). */
@ConfigMapping(prefix = "loupe.judge")
public interface JudgeConfig {
    /** Base URL up to {@code /v1} (e.g. {@code https://api.openai.com/v1}); unset: judge evaluations wait queued. */
    Optional<String> baseUrl();

    /** Bearer token for the endpoint; take it from a secret ({@code LOUPE_JUDGE_API_KEY}). */
    Optional<String> apiKey();

    /** Model asked when the evaluator config names none. */
    @WithDefault("gpt-4o-mini")
    String model();

    /** How long one call may take. */
    @WithDefault("30s")
    Duration timeout();

    /** Calls in flight at once. */
    @WithDefault("4")
    int maxConcurrency();

    /** Calls started per minute, across projects: the cost ceiling. Jobs over it wait for the next minute. */
    @WithDefault("60")
    int maxCallsPerMinute();

    /** Attempts within one run for a 429, a 5xx, a timeout or a malformed answer, with back-off between them. */
    @WithDefault("3")
    int maxAttempts();

    /** First back-off between attempts (doubles each time). */
    @WithDefault("1s")
    Duration attemptBackoff();

    /** When every attempt failed on an unreachable judge: first delay before the job is tried again (doubles). */
    @WithDefault("30s")
    Duration retryDelay();

    /** Upper bound of that delay. */
    @WithDefault("30m")
    Duration maxRetryDelay();

    /** How often queued judge work is looked for ({@code off} disables it). */
    @WithDefault("2s")
    String pollInterval();

    /** Jobs claimed per poll. */
    @WithDefault("32")
    int batchSize();

    /** A claimed job not finished within this time (a crashed replica) is claimed again. */
    @WithDefault("5m")
    Duration lease();

    /** Price of the judge's input tokens, USD per million, for the recorded judge cost. */
    @WithDefault("0.15")
    BigDecimal inputUsdPerMillionTokens();

    /** Price of the judge's output tokens, USD per million. */
    @WithDefault("0.60")
    BigDecimal outputUsdPerMillionTokens();

    /** At most this many characters of the decision's input and output are sent to the judge. */
    @WithDefault("8000")
    int maxTextChars();
}
