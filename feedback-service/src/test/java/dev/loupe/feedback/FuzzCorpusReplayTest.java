package dev.loupe.feedback;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sends every file of {@link FeedbackFuzzTest}'s regression corpus to the real endpoint with a feedback key: no input
 * may get a 5xx, and every refusal is problem+json naming a field.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class FuzzCorpusReplayTest {
    private static final String ROOT = "dev/loupe/feedback/FeedbackFuzzTestInputs/";

    @ConfigProperty(name = "loupe.test.project-a.public-key")
    String feedbackKey;

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void inputIsNeverA5xxAndEveryRefusalIsAProblem(String name, Path file) throws IOException {
        String path = name.startsWith("batch/") ? "/v1/feedback/batch" : "/v1/feedback";
        Response response = given().auth()
                .oauth2(feedbackKey)
                .contentType("application/json")
                .body(Files.readAllBytes(file))
                .when()
                .post(path)
                .andReturn();

        assertThat(response.statusCode()).as(name).isLessThan(500);
        if (response.statusCode() >= 400) {
            assertThat(response.contentType()).as(name).startsWith("application/problem+json");
            assertThat(EventJson.mapper()
                            .readTree(response.asByteArray())
                            .path("field")
                            .asText())
                    .as(name)
                    .isNotBlank();
        }
    }

    static Stream<Object[]> inputs() throws IOException, URISyntaxException {
        Stream.Builder<Object[]> files = Stream.builder();
        for (String target : List.of("single", "batch")) {
            Path dir = Path.of(FuzzCorpusReplayTest.class
                    .getClassLoader()
                    .getResource(ROOT + target)
                    .toURI());
            try (Stream<Path> list = Files.list(dir)) {
                List<Path> inputs = list.filter(Files::isRegularFile).sorted().toList();
                assertThat(inputs).as("corpus of " + target).isNotEmpty();
                inputs.forEach(f -> files.add(new Object[] {target + "/" + f.getFileName(), f}));
            }
        }
        return files.build();
    }
}
