package dev.loupe.testing.nativeimage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * What a native build of a service needs and no JVM test shows (README.md, "Native images"): each library with a
 * Quarkus extension comes with it, no static state is made on the build machine, every type Jackson reads or writes
 * is registered for reflection, and every class-path resource read at run time is included. Plain JUnit over the
 * compiled classes and the runtime class path of the module the tests run in. Each service runs these checks by
 * declaring {@code class NativeDisciplineTest extends NativeDiscipline {}} in its tests.
 */
public abstract class NativeDiscipline {
    private final LoupeImage image = LoupeImage.ofThisModule();

    @Test
    public void everyLibraryWithAQuarkusExtensionComesWithIt() {
        assertThat(image.runtime())
                .extracting(RuntimeClasspath.Artifact::key)
                .contains("dev.loupe:loupe-common", "com.github.ben-manes.caffeine:caffeine");
        assertThat(image.librariesWithoutTheirExtension()).isEmpty();
    }

    @Test
    public void noStaticStateIsMadeOnTheBuildMachine() {
        assertThat(image.loupeCode()).hasSizeGreaterThanOrEqualTo(3); // this service, common, contracts
        assertThat(image.buildTimeState()).isEmpty();
    }

    @Test
    public void everyTypeJacksonReadsOrWritesIsRegisteredForReflection() {
        assertThat(image.jacksonBoundTypes())
                .contains("dev.loupe.common.http.Problem", "dev.loupe.common.http.Problem$FieldError");
        assertThat(image.unregisteredJacksonTypes()).isEmpty();
    }

    @Test
    public void everyResourceReadAtRunTimeIsInTheImage() {
        assertThat(image.unregisteredResources()).isEmpty();
    }
}
