package dev.loupe.testing.nativeimage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExtensionRulesTest {
    // as dependency:list writes them (the root pom's runtime-classpath execution)
    private static final String COMMON =
            "   dev.loupe:loupe-common:jar:0.1.0-SNAPSHOT:compile:/work/common/target/classes"
                    + " -- module loupe.common (auto)";
    private static final String CAFFEINE =
            "   com.github.ben-manes.caffeine:caffeine:jar:3.2.2:compile:/m2/caffeine-3.2.2.jar -- module"
                    + " com.github.benmanes.caffeine";
    private static final String EXTENSION =
            "   io.quarkus:quarkus-caffeine:jar:3.33.2:compile:/m2/quarkus-caffeine-3.33.2.jar -- module"
                    + " quarkus.caffeine (auto)";
    private static final String CLASSIFIED =
            "   io.netty:netty-transport-native-epoll:jar:linux-x86_64:4.1.128.Final:runtime:/m2/epoll.jar";

    @Test
    void bareCaffeineAsLoupeHadItIsRefused() {
        List<RuntimeClasspath.Artifact> before = RuntimeClasspath.parse(
                List.of("The following files have been resolved:", COMMON, CAFFEINE, "", "   none"));

        assertThat(ExtensionRules.librariesWithoutTheirExtension(before))
                .containsExactly("com.github.ben-manes.caffeine:caffeine without io.quarkus:quarkus-caffeine");
    }

    @Test
    void caffeineWithItsExtensionPasses() {
        List<RuntimeClasspath.Artifact> after =
                RuntimeClasspath.parse(List.of(COMMON, CAFFEINE, EXTENSION, CLASSIFIED));

        assertThat(ExtensionRules.librariesWithoutTheirExtension(after)).isEmpty();
        assertThat(after)
                .extracting(RuntimeClasspath.Artifact::key)
                .containsExactly(
                        "dev.loupe:loupe-common",
                        "com.github.ben-manes.caffeine:caffeine",
                        "io.quarkus:quarkus-caffeine",
                        "io.netty:netty-transport-native-epoll");
        assertThat(after.get(0).file()).isEqualTo(Path.of("/work/common/target/classes"));
        assertThat(after.get(3).file()).isEqualTo(Path.of("/m2/epoll.jar"));
    }

    @Test
    void everyRuleNamesALibraryAndAnExtension() {
        assertThat(ExtensionRules.EXTENSION_FOR).allSatisfy((library, extension) -> {
            assertThat(library).matches("[\\w.-]+:[\\w.-]+").doesNotStartWith("io.quarkus:");
            assertThat(extension).startsWith("io.quarkus:quarkus-");
        });
    }
}
