package dev.loupe.contracts.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelKeyTest {

    /** Real names as providers answer them or as apps ask for them, and the key each is counted under. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                // OpenAI: dated snapshots lose the date; four-digit snapshots are kept
                "gpt-4o-mini-2024-07-18|gpt-4o-mini",
                "gpt-4o-2024-08-06|gpt-4o",
                "gpt-4o|gpt-4o",
                "o1-2024-12-17|o1",
                "o3-mini-2025-01-31|o3-mini",
                "gpt-4.1-2025-04-14|gpt-4.1",
                "gpt-5-2025-08-07|gpt-5",
                "gpt-4o-realtime-preview-2024-12-17|gpt-4o-realtime-preview",
                "gpt-4-0613|gpt-4-0613",
                "gpt-3.5-turbo-0125|gpt-3.5-turbo-0125",
                "text-embedding-3-small|text-embedding-3-small",
                // Anthropic
                "claude-3-5-sonnet-20241022|claude-3-5-sonnet",
                "claude-sonnet-4-20250514|claude-sonnet-4",
                "claude-3-haiku-20240307|claude-3-haiku",
                "claude-opus-4-1-20250805|claude-opus-4-1",
                "claude-3-5-sonnet-latest|claude-3-5-sonnet-latest",
                // Bedrock: the vendor (and cross-region) prefix stays, the date and version go
                "anthropic.claude-3-5-sonnet-20241022-v2:0|anthropic.claude-3-5-sonnet",
                "us.anthropic.claude-3-7-sonnet-20250219-v1:0|us.anthropic.claude-3-7-sonnet",
                "anthropic.claude-3-haiku-20240307-v1:0:200k|anthropic.claude-3-haiku",
                "amazon.titan-text-express-v1|amazon.titan-text-express-v1",
                "meta.llama3-1-70b-instruct-v1:0|meta.llama3-1-70b-instruct-v1:0",
                // Vertex AI: Anthropic models carry the date after '@'; Gemini versions are not dates
                "claude-3-5-sonnet-v2@20241022|claude-3-5-sonnet-v2",
                "claude-sonnet-4@20250514|claude-sonnet-4",
                "gemini-1.5-pro-002|gemini-1.5-pro-002",
                "gemini-2.0-flash-001|gemini-2.0-flash-001",
                "gemini-2.5-flash-preview-05-20|gemini-2.5-flash-preview-05-20",
                // Azure OpenAI: deployment names are the operator's; model versions in responses are dates
                "prod-gpt4o-eastus|prod-gpt4o-eastus",
                "gpt-35-turbo-0125|gpt-35-turbo-0125",
                // Mistral: YYMM versions are kept
                "mistral-large-2411|mistral-large-2411",
                // edges
                "2024-07-18|2024-07-18",
                "my-model-20241022-20250101|my-model",
                "model-19991231|model-19991231",
            })
    void normalisesNames(String name, String key) {
        assertThat(ModelKey.normalise(name)).isEqualTo(key);
        assertThat(ModelKey.normalise(key)).as("idempotent").isEqualTo(key);
    }

    @Test
    void prefersTheRequestModel() {
        // a failed call has only the request model; a successful one both: one key
        assertThat(ModelKey.of("gpt-4o-mini", null)).isEqualTo("gpt-4o-mini");
        assertThat(ModelKey.of("gpt-4o-mini", "gpt-4o-mini-2024-07-18")).isEqualTo("gpt-4o-mini");
        assertThat(ModelKey.of(null, "gpt-4o-mini-2024-07-18")).isEqualTo("gpt-4o-mini");
        // an Azure deployment asked for by name keys both outcomes by that name
        assertThat(ModelKey.of("prod-gpt4o", "gpt-4o-2024-08-06")).isEqualTo("prod-gpt4o");
        assertThat(ModelKey.of("  ", "claude-3-5-sonnet-20241022")).isEqualTo("claude-3-5-sonnet");
        assertThat(ModelKey.of(null, null)).isEmpty();
        assertThat(ModelKey.of("", " ")).isEmpty();
    }
}
