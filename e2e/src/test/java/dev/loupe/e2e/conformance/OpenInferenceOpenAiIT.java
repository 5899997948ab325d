package dev.loupe.e2e.conformance;

/**
 * OpenInference-JS (Arize) on the official openai client: {@code conformance/openinference-openai.mjs}. What
 * @arizeai/openinference-instrumentation-openai 4.2.7 itself does not send: failed calls (the span of a rejected
 * call is never ended, so never exported), the usage chunk and the response model of a stream (only the
 * request model and the finish reason), and token counts of embeddings.
 */
class OpenInferenceOpenAiIT extends OpenAiLibraryConformance {
    @Override
    String script() {
        return "openinference-openai.mjs";
    }

    @Override
    boolean recordsFailedCalls() {
        return false;
    }

    @Override
    boolean readsStreamModel() {
        return false;
    }

    @Override
    boolean readsStreamUsage() {
        return false;
    }
}
