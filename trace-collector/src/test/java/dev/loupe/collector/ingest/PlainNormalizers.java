package dev.loupe.collector.ingest;

import dev.loupe.collector.pricing.CostCalculator;
import dev.loupe.collector.pricing.PricingConfig;
import dev.loupe.collector.redaction.TextLimiter;
import dev.loupe.common.crypto.IdentifierHasher;
import dev.loupe.common.pii.RedactionConfig;
import dev.loupe.common.pii.Redactor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.Optional;

/**
 * The collector's normalisers built without CDI, with the test profile's redaction settings (canary and the
 * employee-id pattern) and the shipped price table: fuzz tests run the real code in milliseconds.
 */
public final class PlainNormalizers {
    private static final RedactionConfig REDACTION = new RedactionConfig() {
        public int maxTextLength() {
            return 32_000;
        }

        public boolean emails() {
            return true;
        }

        public boolean phones() {
            return true;
        }

        public boolean cards() {
            return true;
        }

        public boolean ibans() {
            return true;
        }

        public Map<String, String> patterns() {
            return Map.of("employee-id", "EMP-\\d{6}");
        }

        public Optional<String> canary() {
            return Optional.of("CANARY-7f3a9c-DO-NOT-LEAK");
        }
    };
    private static final PricingConfig PRICING = new PricingConfig() {
        public Optional<String> file() {
            return Optional.empty();
        }

        public Optional<String> projectOverridesFile() {
            return Optional.empty();
        }
    };

    private static final IdentifierHasher HASHER = new IdentifierHasher(() -> Optional.of("fuzz-identifier-secret"));
    private static final Redactor REDACTOR = new Redactor(REDACTION);
    private static final TextLimiter LIMITER = new TextLimiter(REDACTION);

    private PlainNormalizers() {}

    public static SpanNormalizer spans() {
        return new SpanNormalizer(HASHER, REDACTOR, LIMITER, new CostCalculator(PRICING, new SimpleMeterRegistry()));
    }

    public static DecisionNormalizer decisions() {
        return new DecisionNormalizer(HASHER, REDACTOR, LIMITER);
    }
}
