package dev.loupe.collector;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.CodedInputStream;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
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
 * Sends every file of the fuzz tests' regression corpora to the real endpoint with a valid ingest key: no input may
 * get a 5xx, and every refusal has the documented body (problem+json naming a field on the native API, a
 * {@code google.rpc.Status} in the request's content type on OTLP).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class FuzzCorpusReplayTest {
    private static final String OTLP = "dev/loupe/collector/otlp/OtlpFuzzTestInputs/";
    private static final String NATIVE = "dev/loupe/collector/ingest/NativeIngestFuzzTestInputs/";

    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String key;

    @ParameterizedTest(name = "{0}")
    @MethodSource("nativeInputs")
    void nativeInputIsNeverA5xxAndEveryRefusalIsAProblem(String name, Path file) throws IOException {
        String path = name.startsWith("decisions/") ? "/v1/decisions" : "/v1/spans";
        RequestSpecification request = given().contentType("application/json");
        if (name.startsWith("gzipSpans/")) {
            request.header("Content-Encoding", "gzip");
        }
        Response response = send(request, file, path);

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

    @ParameterizedTest(name = "{0}")
    @MethodSource("otlpInputs")
    void otlpInputIsNeverA5xxAndEveryRefusalIsAStatus(String name, Path file) throws IOException {
        boolean json = name.startsWith("json/");
        RequestSpecification request = given().contentType(json ? "application/json" : "application/x-protobuf");
        if (name.startsWith("gzipProtobuf/")) {
            request.header("Content-Encoding", "gzip");
        }
        Response response = send(request, file, "/v1/traces");

        assertThat(response.statusCode()).as(name).isLessThan(500);
        if (response.statusCode() >= 400) {
            assertThat(response.contentType())
                    .as(name)
                    .startsWith(json ? "application/json" : "application/x-protobuf");
            Status status = json ? statusFromJson(response) : statusFromProtobuf(response);
            assertThat(status.code()).as(name).isIn(3, 8);
            assertThat(status.message()).as(name).isNotBlank();
        }
    }

    private Response send(RequestSpecification request, Path file, String path) throws IOException {
        return request.auth()
                .oauth2(key)
                .body(Files.readAllBytes(file))
                .when()
                .post(path)
                .andReturn();
    }

    /** {@code google.rpc.Status}: code = 1, message = 2 (the class is not on the class path, the format is small). */
    private record Status(int code, String message) {}

    private static Status statusFromJson(Response response) throws IOException {
        JsonNode node = EventJson.mapper().readTree(response.asByteArray());
        return new Status(node.path("code").asInt(), node.path("message").asText());
    }

    private static Status statusFromProtobuf(Response response) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(response.asByteArray());
        int code = 0;
        String message = "";
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag >>> 3) {
                case 1 -> code = in.readInt32();
                case 2 -> message = in.readString();
                default -> in.skipField(tag);
            }
        }
        return new Status(code, message);
    }

    static Stream<Object[]> nativeInputs() throws IOException, URISyntaxException {
        return corpus(NATIVE, List.of("spans", "decisions", "gzipSpans"));
    }

    static Stream<Object[]> otlpInputs() throws IOException, URISyntaxException {
        return corpus(OTLP, List.of("protobuf", "json", "gzipProtobuf"));
    }

    /** Every file of the named targets' corpora, as {@code target/file} and its path; a target without files fails. */
    private static Stream<Object[]> corpus(String root, List<String> targets) throws IOException, URISyntaxException {
        Stream.Builder<Object[]> files = Stream.builder();
        for (String target : targets) {
            Path dir = Path.of(FuzzCorpusReplayTest.class
                    .getClassLoader()
                    .getResource(root + target)
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
