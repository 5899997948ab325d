package dev.loupe.evals.evaluators;

import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs a configured regex within a time budget, so catastrophic backtracking costs one decision 50 ms, not a thread. */
final class BoundedRegex {
    static final long BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Reading the clock on every charAt would cost more than the matching it guards. */
    private static final int CHARS_PER_CLOCK_READ = 1000;

    /** Control flow out of the matcher: preallocated, without a stack trace. */
    private static final class BudgetSpent extends RuntimeException {
        private BudgetSpent() {
            super("regex time budget spent", null, false, false);
        }
    }

    private static final BudgetSpent SPENT = new BudgetSpent();

    /** What to do with the matcher; must not return null, which {@link #run} keeps for "gave up". */
    @FunctionalInterface
    interface Work<T> {
        T apply(Matcher matcher);
    }

    private BoundedRegex() {}

    /** The work's result, or {@code null} when the budget ran out before it finished. */
    static <T> T run(Pattern pattern, CharSequence text, Work<T> work) {
        try {
            return work.apply(pattern.matcher(new Deadline(text, System.nanoTime() + BUDGET_NANOS)));
        } catch (BudgetSpent e) {
            return null;
        } catch (StackOverflowError e) {
            // java.util.regex recurses once per repetition of a group: long text can exhaust the stack first
            return null;
        }
    }

    /** The text, as seen by the matcher, with a clock that stops it. */
    private static final class Deadline implements CharSequence {
        private final CharSequence text;
        private final long deadline;
        private int reads;

        Deadline(CharSequence text, long deadline) {
            this.text = text;
            this.deadline = deadline;
        }

        @Override
        public char charAt(int index) {
            if (++reads >= CHARS_PER_CLOCK_READ) {
                reads = 0;
                if (System.nanoTime() - deadline > 0) {
                    throw SPENT;
                }
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return text.subSequence(start, end);
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
