package dev.loupe.testing.nativeimage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class JacksonReachTest {
    private static final List<Path> ROOTS = List.of(Path.of("target", "test-classes"));
    private static final String FIXTURES = "dev.loupe.testing.nativeimage.fixtures.json.";
    private final ClassLoader loader = JacksonReachTest.class.getClassLoader();

    @Test
    void findsEveryWayJacksonIsReachedAndWhatTheTypesHold() {
        assertThat(JacksonReach.boundTypes(ROOTS, FIXTURES, loader))
                .containsExactlyInAnyOrder(
                        FIXTURES + "Outer",
                        FIXTURES + "Outer$Inner",
                        FIXTURES + "Outer$Kind",
                        FIXTURES + "Detail",
                        FIXTURES + "Reader$Payload",
                        FIXTURES + "Reader$Entry",
                        FIXTURES + "Reader$Annotated",
                        FIXTURES + "Reader$Listed",
                        FIXTURES + "Reader$Written",
                        FIXTURES + "Shape$Square")
                .doesNotContain(FIXTURES + "Reader$NotJson", FIXTURES + "Shape");
    }

    @Test
    void registrationOnTheTypeOrByTargetsCountsWithNestedTypes() {
        assertThat(JacksonReach.registeredTypes(ROOTS, FIXTURES, loader))
                .containsExactlyInAnyOrder(
                        FIXTURES + "Outer",
                        FIXTURES + "Outer$Inner",
                        FIXTURES + "Outer$Kind",
                        FIXTURES + "Reader$Listed");
    }

    @Test
    void theUnregisteredOnesAreNamed() {
        assertThat(JacksonReach.unregistered(ROOTS, FIXTURES, loader))
                .containsExactlyInAnyOrder(
                        FIXTURES + "Detail",
                        FIXTURES + "Reader$Payload",
                        FIXTURES + "Reader$Entry",
                        FIXTURES + "Reader$Annotated",
                        FIXTURES + "Reader$Written",
                        FIXTURES + "Shape$Square");
    }
}
