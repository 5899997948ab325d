package dev.loupe.common.pii;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PiiPatternsTest {
    @Test
    void checksumsDecideCardsAndIbans() {
        assertThat(PiiPatterns.luhnValid("4111111111111111")).isTrue();
        assertThat(PiiPatterns.luhnValid("4111 1111-1111 1111")).isTrue();
        assertThat(PiiPatterns.luhnValid("4111111111111112")).isFalse();
        assertThat(PiiPatterns.luhnValid("0000000000000000")).isFalse();
        assertThat(PiiPatterns.ibanValid("DE89 3704 0044 0532 0130 00")).isTrue();
        assertThat(PiiPatterns.ibanValid("DE89 3704 0044 0532 0130 01")).isFalse();
    }

    @Test
    void datesAndShortNumbersAreNotPhones() {
        assertThat(PiiPatterns.plausiblePhone("+44 20 7946 0958")).isTrue();
        assertThat(PiiPatterns.plausiblePhone("2026-11-27 10 00")).isFalse();
        assertThat(PiiPatterns.plausiblePhone("12 34 56")).isFalse();
    }

    @Test
    void placeholdersLeftByRedactionDoNotMatch() {
        String redacted = "Mail [EMAIL] or call [PHONE]; card [CARD]; IBAN [IBAN].";
        assertThat(PiiPatterns.EMAIL.matcher(redacted).find()).isFalse();
        assertThat(PiiPatterns.PHONE.matcher(redacted).find()).isFalse();
        assertThat(PiiPatterns.CARD.matcher(redacted).find()).isFalse();
        assertThat(PiiPatterns.IBAN.matcher(redacted).find()).isFalse();
    }
}
