package dev.loupe.testing;

import java.lang.management.ManagementFactory;

/**
 * Bounds what one fuzz input may allocate, so a decoder whose memory grows faster than its input (a bomb, an
 * amplifying structure) fails the fuzz test instead of the service. Measured with the JVM's per-thread
 * allocation counter, which counts every byte allocated on the calling thread, garbage included.
 *
 * <p>The allowance is {@value #FIXED_BYTES} bytes plus {@value #BYTES_PER_INPUT_BYTE} per input byte. The fixed
 * part pays for what any request may cost whatever its size: up to {@code max-batch-items} spans normalised,
 * redacted and encoded, regex matchers, price look-ups. The proportional part pays for decoding: a Jackson tree
 * costs about 20 bytes per input byte and an OTLP body turns two bytes into a message object of ~50, and both
 * are copied once or twice on the way (hex ids to base64, the tree to protobuf's JSON parser). At the 5 MiB body
 * limit that is at most 336 MiB of garbage for one request: bounded, unlike an amplification that multiplies.
 */
public final class AllocationBudget {
    public static final long FIXED_BYTES = 16L * 1024 * 1024;
    public static final long BYTES_PER_INPUT_BYTE = 64;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private AllocationBudget() {}

    public static long allowance(int inputLength) {
        return FIXED_BYTES + BYTES_PER_INPUT_BYTE * inputLength;
    }

    /**
     * Runs {@code action} and fails when it allocated more than {@link #allowance(int)} for the input's length. An
     * input over the budget is run once more and judged by the second run: the first time a code path runs it may
     * load, initialise and (while fuzzing) instrument classes, which the decoders do once, not per input.
     */
    public static void run(int inputLength, Runnable action) {
        long used = measure(action);
        if (used > allowance(inputLength)) {
            used = measure(action);
        }
        if (used > allowance(inputLength)) {
            throw new AssertionError("an input of " + inputLength + " bytes allocated " + used
                    + " bytes; the budget is " + allowance(inputLength));
        }
    }

    private static long measure(Runnable action) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        action.run();
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }
}
