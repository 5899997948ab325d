package dev.loupe.aggregator.explore;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextQueryTest {
    @Test
    void aQueryIsConjunctiveOnlyWhenEveryWordIsRequired() {
        for (String q :
                new String[] {"refund", "refund order", "\"promised a refund\"", "gpt-4o", "order color", "e-mail"}) {
            assertThat(TextQuery.parse("q", q).conjunctive()).as(q).isTrue();
        }
        for (String q : new String[] {
            "refund or return",
            "refund OR return",
            "promised -yes",
            "-yes promised",
            "or refund",
            "\"a or b\"",
            "refund\t-yes"
        }) {
            assertThat(TextQuery.parse("q", q).conjunctive()).as(q).isFalse();
        }
    }
}
