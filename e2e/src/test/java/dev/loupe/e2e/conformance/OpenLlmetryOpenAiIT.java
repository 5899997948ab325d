package dev.loupe.e2e.conformance;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * OpenLLMetry-JS (Traceloop) on the official openai client: {@code conformance/openllmetry-openai.mjs}, users and
 * sessions as {@code traceloop.association.properties.*}. What @traceloop/instrumentation-openai 0.27.0 itself
 * does not send: failed calls (the span of a rejected call is never ended), the usage chunk of a stream (only
 * its own token estimate, enrichTokens, which is off by default), cached tokens, and embeddings (not traced).
 */
class OpenLlmetryOpenAiIT extends OpenAiLibraryConformance {
    @Override
    String script() {
        return "openllmetry-openai.mjs";
    }

    @Override
    boolean recordsFailedCalls() {
        return false;
    }

    @Override
    boolean readsStreamUsage() {
        return false;
    }

    @Override
    boolean sendsCachedTokens() {
        return false;
    }

    @Override
    boolean tracesEmbeddings() {
        return false;
    }

    /** Association properties other than user_id and session_id land in metadata. */
    @Test
    void otherAssociationPropertiesBecomeMetadata(SoftAssertions soft) {
        soft.assertThat(run.lastLlmSpan("chat").path("metadata").path("tenant").asText())
                .isEqualTo(run.scenario("chat").get("metadata").get("tenant").asText());
    }
}
