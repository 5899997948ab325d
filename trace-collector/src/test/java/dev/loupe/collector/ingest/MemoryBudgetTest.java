package dev.loupe.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
    @Test
    void reservationsBeyondTheBudgetAreRefusedUntilReleased() {
        MemoryBudget budget = new MemoryBudget(100);
        assertThat(budget.tryReserve(60)).isTrue();
        assertThat(budget.tryReserve(40)).isTrue();
        assertThat(budget.tryReserve(1)).isFalse();
        budget.release(40);
        assertThat(budget.tryReserve(30)).isTrue();
        assertThat(budget.reserved()).isEqualTo(90);
    }

    @Test
    void aRequestLargerThanTheWholeBudgetPassesAloneNeverBesideOthers() {
        MemoryBudget budget = new MemoryBudget(100);
        assertThat(budget.tryReserve(500)).isTrue();
        assertThat(budget.tryReserve(1)).isFalse();
        budget.release(500);
        assertThat(budget.tryReserve(1)).isTrue();
        assertThat(budget.tryReserve(500)).isFalse();
    }

    @Test
    void aBudgetMustBePositive() {
        assertThatThrownBy(() -> new MemoryBudget(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
