package dev.loupe.common.pii;

import java.math.BigInteger;
import java.util.regex.Pattern;

/**
 * The personal-data patterns and their validity checks, shared so the collector's redaction and the
 * {@code pii_leak} evaluator agree on what counts as an email, card, IBAN or phone number. A pattern
 * only proposes a candidate; the matching predicate (Luhn, mod-97, digit count) decides, so order
 * numbers and timestamps are not taken for personal data.
 */
public final class PiiPatterns {
    public static final Pattern EMAIL = Pattern.compile(
            "(?<![\\w.+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63})*\\.[A-Za-z]{2,24}");
    /** Accept with {@link #luhnValid}. */
    public static final Pattern CARD = Pattern.compile("(?<!\\d)(?:\\d[ -]?){12,18}\\d(?!\\d)");
    /** Accept with {@link #ibanValid}. */
    public static final Pattern IBAN =
            Pattern.compile("(?<![A-Za-z0-9])[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])");
    /** Accept with {@link #plausiblePhone}. */
    public static final Pattern PHONE = Pattern.compile(
            "(?<![\\w+])(?:\\+\\d{1,3}[ .-]?)?(?:\\(\\d{1,4}\\)[ .-]?)?\\d{2,4}(?:[ .-]\\d{2,4}){2,4}(?![\\w])"
                    + "|(?<![\\w+])\\+\\d{8,15}(?!\\w)");

    private static final Pattern CARD_SEPARATORS = Pattern.compile("[ -]");
    private static final Pattern ISO_DATE_START = Pattern.compile("\\d{4}-\\d{2}-\\d{2}.*");
    private static final BigInteger NINETY_SEVEN = BigInteger.valueOf(97);

    private PiiPatterns() {}

    /** Whether a {@link #CARD} candidate passes the Luhn checksum (and is not one repeated digit). */
    public static boolean luhnValid(String candidate) {
        String digits = CARD_SEPARATORS.matcher(candidate).replaceAll("");
        if (digits.length() < 13
                || digits.length() > 19
                || digits.chars().distinct().count() == 1) {
            return false;
        }
        int sum = 0;
        boolean doubleIt = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (doubleIt) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }

    /** Whether an {@link #IBAN} candidate passes the ISO 13616 mod-97 check. */
    public static boolean ibanValid(String candidate) {
        String iban = candidate.replace(" ", "");
        if (iban.length() < 15 || iban.length() > 34) {
            return false;
        }
        String rearranged = iban.substring(4) + iban.substring(0, 4);
        StringBuilder numeric = new StringBuilder();
        for (char c : rearranged.toCharArray()) {
            numeric.append(Character.isDigit(c) ? String.valueOf(c) : String.valueOf(c - 'A' + 10));
        }
        return new BigInteger(numeric.toString()).mod(NINETY_SEVEN).intValue() == 1;
    }

    /** Whether a {@link #PHONE} candidate has a phone's digit count and is not a date. */
    public static boolean plausiblePhone(String candidate) {
        long digits = candidate.chars().filter(Character::isDigit).count();
        // dates (2026-11-27) and times have too few digits; long ids usually have no separators
        return digits >= 9 && digits <= 15 && !ISO_DATE_START.matcher(candidate).matches();
    }
}
