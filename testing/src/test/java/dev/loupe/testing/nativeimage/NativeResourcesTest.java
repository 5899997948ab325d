package dev.loupe.testing.nativeimage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class NativeResourcesTest {
    private static final List<Path> ROOTS = List.of(Path.of("target", "test-classes"));
    private static final String FIXTURE = "dev.loupe.testing.nativeimage.fixtures.resources.";

    @Test
    void aResourceReadByConstantNameAndRegisteredNowhereIsNamed() {
        assertThat(NativeResources.unregistered(
                        ROOTS,
                        FIXTURE,
                        Path.of("no-such-application.properties"),
                        getClass().getClassLoader()))
                .containsExactly("fixtures/forgotten.yaml");
    }

    @Test
    void quarkusNativeResourcesIncludesCountsToo() throws Exception {
        Path properties = Path.of("target", "native-resources-test.properties");
        java.nio.file.Files.writeString(
                properties, "quarkus.native.resources.includes=runbooks/*.md,fixtures/*.yaml\n");

        assertThat(NativeResources.unregistered(
                        ROOTS, FIXTURE, properties, getClass().getClassLoader()))
                .isEmpty();
    }
}
