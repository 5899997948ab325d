package dev.loupe.client;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** New trace, span and decision ids in the formats the collector accepts, and checks for them. */
public final class Ids {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Ids() {}

    /** 32 lowercase hex characters, never all zeros (W3C / OpenTelemetry trace id). */
    public static String traceId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high;
        long low;
        do {
            high = random.nextLong();
            low = random.nextLong();
        } while (high == 0 && low == 0);
        return hex(high) + hex(low);
    }

    /** 16 lowercase hex characters, never all zeros (W3C / OpenTelemetry span id). */
    public static String spanId() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return hex(id);
    }

    /** A random UUID: decision ids are free-form (at most 256 characters), this is just a unique one. */
    public static String decisionId() {
        return UUID.randomUUID().toString();
    }

    public static boolean isTraceId(String id) {
        return isHexId(id, 32);
    }

    public static boolean isSpanId(String id) {
        return isHexId(id, 16);
    }

    private static boolean isHexId(String id, int length) {
        if (id == null || id.length() != length) {
            return false;
        }
        boolean nonZero = false;
        for (int i = 0; i < length; i++) {
            char c = id.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
            nonZero |= c != '0';
        }
        return nonZero;
    }

    private static String hex(long value) {
        char[] out = new char[16];
        for (int i = 15; i >= 0; i--) {
            out[i] = HEX[(int) (value & 0xf)];
            value >>>= 4;
        }
        return new String(out);
    }
}
