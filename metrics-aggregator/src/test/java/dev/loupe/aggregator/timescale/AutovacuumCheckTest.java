package dev.loupe.aggregator.timescale;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AutovacuumCheckTest {

    @Test
    void aServerThatAnalysesItsTablesGetsNoWarning() {
        assertThat(AutovacuumCheck.warning("on", "on")).isEmpty();
    }

    @Test
    void autovacuumOffIsNamedWithTheSettingThatTurnsItOn() {
        assertThat(AutovacuumCheck.warning("off", "on"))
                .hasValueSatisfying(w -> assertThat(w)
                        .startsWith("PostgreSQL runs with autovacuum = off:")
                        .contains("alter system set autovacuum = on; select pg_reload_conf()"));
    }

    @Test
    void withoutRowCountsAutovacuumCannotTellWhenToRunAndThatIsSaid() {
        assertThat(AutovacuumCheck.warning("on", "off"))
                .hasValueSatisfying(w -> assertThat(w)
                        .startsWith("PostgreSQL runs with track_counts = off:")
                        .contains("alter system set track_counts = on"));
    }
}
