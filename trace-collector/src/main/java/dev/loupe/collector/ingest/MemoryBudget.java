package dev.loupe.collector.ingest;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of heap the requests being ingested may hold at once. A request reserves its expected footprint before
 * its body is read and returns it when its answer has gone out; past the budget, it is refused (503) instead of
 * pushing the heap towards an OutOfMemoryError. A request is always admitted when nothing else is in flight, so
 * one request larger than the whole budget is not refused forever.
 */
final class MemoryBudget {
    private final long budget;
    private final AtomicLong reserved = new AtomicLong();

    MemoryBudget(long budget) {
        if (budget <= 0) {
            throw new IllegalArgumentException("a memory budget must be positive, not " + budget);
        }
        this.budget = budget;
    }

    /** Reserves {@code bytes} if they fit (or if nothing is reserved); false when the request must be refused. */
    boolean tryReserve(long bytes) {
        while (true) {
            long current = reserved.get();
            if (current > 0 && current + bytes > budget) {
                return false;
            }
            if (reserved.compareAndSet(current, current + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        reserved.addAndGet(-bytes);
    }

    long reserved() {
        return reserved.get();
    }

    long budget() {
        return budget;
    }
}
