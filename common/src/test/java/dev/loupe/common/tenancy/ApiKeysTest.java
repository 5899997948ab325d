package dev.loupe.common.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
    @Test
    void generatedKeyCarriesItsIdAndHashesDifferentlyPerPepper() {
        ApiKeys.Generated key = ApiKeys.generate();
        assertThat(ApiKeys.keyId(key.key())).contains(key.keyId());
        assertThat(ApiKeys.hash("pepper-1", key.key())).hasSize(64).isNotEqualTo(ApiKeys.hash("pepper-2", key.key()));
        assertThat(ApiKeys.hash("pepper-1", key.key())).doesNotContain(key.key().substring(20));
    }

    @Test
    void malformedKeysHaveNoId() {
        String good = ApiKeys.generate().key();
        assertThat(ApiKeys.keyId(null)).isEmpty();
        assertThat(ApiKeys.keyId("")).isEmpty();
        assertThat(ApiKeys.keyId(good.substring(1))).isEmpty();
        assertThat(ApiKeys.keyId(good.toUpperCase())).isEmpty();
        assertThat(ApiKeys.keyId(good.replace('_', '-'))).isEmpty();
        assertThat(ApiKeys.keyId(good + "0")).isEmpty();
    }

    @Test
    void adminImpliesReadAndScopesParseInAnyCase() {
        assertThat(Scope.roles(EnumSet.of(Scope.ADMIN))).containsExactlyInAnyOrder("admin", "read");
        assertThat(Scope.roles(EnumSet.of(Scope.FEEDBACK))).containsExactly("feedback");
        assertThat(Scope.roles(Set.of())).isEmpty();
        assertThat(Scope.parse(" Ingest ")).isEqualTo(Scope.INGEST);
        assertThat(Scope.parse("root")).isNull();
    }
}
