package dev.loupe.testing.nativeimage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BuildTimeStateTest {
    private static final Path TEST_CLASSES = Path.of("target", "test-classes");
    private static final String FIXTURES = "dev.loupe.testing.nativeimage.fixtures.";

    @Test
    void aStaticSecureRandomIsFoundByItsTypeAndByItsInitialiser() {
        List<String> findings = BuildTimeState.findings(List.of(TEST_CLASSES), FIXTURES + "StaticSecureRandom");

        assertThat(findings)
                .anySatisfy(f -> assertThat(f)
                        .startsWith(FIXTURES + "StaticSecureRandom.RANDOM")
                        .contains("java.security.SecureRandom"))
                .anySatisfy(f -> assertThat(f).contains("static initialiser: new java.security.SecureRandom"))
                .hasSize(2);
    }

    @Test
    void stateBehindInnocentFieldTypesIsFoundThroughTheInitialiserAndTheHelpersItCalls() {
        List<String> findings = BuildTimeState.findings(List.of(TEST_CLASSES), FIXTURES + "HiddenBuildTimeState");

        assertThat(findings)
                .anySatisfy(f -> assertThat(f).contains("static initialiser: java.time.Instant.now()"))
                .anySatisfy(f -> assertThat(f)
                        .contains("(via pool()Ljava/lang/Object;)")
                        .contains("java.util.concurrent.Executors.newSingleThreadExecutor()"))
                .hasSize(2);
    }

    @Test
    void constantsCachesFilledLaterAndPerCallRandomnessAreFine() {
        assertThat(BuildTimeState.findings(List.of(TEST_CLASSES), FIXTURES + "RunTimeOnly"))
                .isEmpty();
    }
}
