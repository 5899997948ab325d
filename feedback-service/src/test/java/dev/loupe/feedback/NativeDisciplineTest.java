package dev.loupe.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.testing.nativeimage.LoupeImage;
import dev.loupe.testing.nativeimage.RuntimeClasspath;
import org.junit.jupiter.api.Test;

/**
 * What a native build of this service needs and no JVM test shows (README.md, "Native images"): each library with a
 * Quarkus extension comes with it, no static state is made on the build machine, and every type Jackson reads or
 * writes is registered for reflection, every class-path resource read at run time is included. Plain JUnit over the compiled classes and the runtime class path.
 */
class NativeDisciplineTest {
    private final LoupeImage image = LoupeImage.ofThisModule();

    @Test
    void everyLibraryWithAQuarkusExtensionComesWithIt() {
        assertThat(image.runtime())
                .extracting(RuntimeClasspath.Artifact::key)
                .contains("dev.loupe:loupe-common", "com.github.ben-manes.caffeine:caffeine");
        assertThat(image.librariesWithoutTheirExtension()).isEmpty();
    }

    @Test
    void noStaticStateIsMadeOnTheBuildMachine() {
        assertThat(image.loupeCode()).hasSizeGreaterThanOrEqualTo(3); // this service, common, contracts
        assertThat(image.buildTimeState()).isEmpty();
    }

    @Test
    void everyTypeJacksonReadsOrWritesIsRegisteredForReflection() {
        assertThat(image.jacksonBoundTypes())
                .contains("dev.loupe.common.http.Problem", "dev.loupe.common.http.Problem$FieldError");
        assertThat(image.unregisteredJacksonTypes()).isEmpty();
    }

    @Test
    void everyResourceReadAtRunTimeIsInTheImage() {
        assertThat(image.unregisteredResources()).isEmpty();
    }
}
