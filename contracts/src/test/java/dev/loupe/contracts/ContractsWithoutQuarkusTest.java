package dev.loupe.contracts;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * contracts goes into apps with the client: Jackson only. Its test class path is its own dependencies, so none of
 * Quarkus, SmallRye, Vert.x or Caffeine may be loadable here.
 */
class ContractsWithoutQuarkusTest {
    @Test
    void noQuarkusSmallRyeVertxOrCaffeineOnTheClassPath() {
        for (String type : new String[] {
            "io.quarkus.runtime.annotations.RegisterForReflection",
            "io.smallrye.mutiny.Uni",
            "io.vertx.core.Vertx",
            "com.github.benmanes.caffeine.cache.Caffeine",
            "org.jboss.logging.Logger"
        }) {
            assertThatThrownBy(() -> Class.forName(type)).as(type).isInstanceOf(ClassNotFoundException.class);
        }
    }
}
