package dev.loupe.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;

/**
 * Sends an app's spans and decisions to Loupe's trace-collector in the background, and its users' feedback
 * to the feedback-service. {@link #send} never blocks and never throws for delivery: items are queued, batched
 * and retried by one daemon thread, and a full queue drops (and counts) them. Thread-safe; build one per app.
 */
public final class LoupeClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LoupeClient.class.getName());

    private final Counters counters = new Counters();
    private final TelemetryQueue queue;
    private final BatchFlusher flusher;
    private final FeedbackSender feedback;
    private final Duration closeTimeout;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private LoupeClient(Builder b) {
        HttpClient http = b.httpClient != null
                ? b.httpClient
                : HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(b.connectTimeout)
                        .build();
        this.queue = new TelemetryQueue(b.queueCapacity, counters);
        if (b.collectorUrl != null) {
            RetryPolicy retries = new RetryPolicy(b.maxAttempts, b.maxRetryElapsed, b.initialBackoff, b.maxBackoff);
            CollectorSender sender = new CollectorSender(
                    http,
                    b.collectorUrl,
                    b.secretKey,
                    b.requestTimeout,
                    b.maxBatchBytes,
                    retries,
                    b.listener,
                    counters);
            this.flusher = new BatchFlusher(queue, sender, b.maxBatchItems, b.flushInterval, counters);
            flusher.start();
        } else {
            this.flusher = null;
        }
        this.feedback =
                b.feedbackUrl == null ? null : new FeedbackSender(http, b.feedbackUrl, b.publicKey, b.requestTimeout);
        this.closeTimeout = b.closeTimeout;
        this.shutdownHook = b.shutdownHook ? new Thread(this::close, "loupe-client-shutdown") : null;
        if (shutdownHook != null) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Queues a span; false when it was dropped (queue full or client closed). */
    public boolean send(Span span) {
        return enqueue(span);
    }

    /** Queues a decision; false when it was dropped (queue full or client closed). */
    public boolean send(Decision decision) {
        return enqueue(decision);
    }

    private boolean enqueue(Telemetry item) {
        if (flusher == null) {
            throw new IllegalStateException("no collector configured: LoupeClient.builder().collector(url, key)");
        }
        return queue.offer(Objects.requireNonNull(item, "item"));
    }

    /**
     * Waits until everything queued before this call was sent, rejected or given up, at most {@code timeout};
     * true if it all was. Sends a partial batch at once instead of waiting for the flush interval.
     */
    public boolean flush(Duration timeout) {
        if (flusher == null) {
            return true;
        }
        try {
            return flusher.flush(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Sends user feedback on a decision and returns the stored feedback's id; synchronous, no retries (retrying
     * yourself is safe with {@link Feedback.Builder#idempotencyKey}).
     *
     * @throws FeedbackException when it was refused (4xx: {@code field()} and {@code detail()} say why) or not
     *                           answered
     */
    public String feedback(Feedback feedback) {
        if (this.feedback == null) {
            throw new IllegalStateException("no feedback service configured: LoupeClient.builder().feedback(url, key)");
        }
        return this.feedback.send(Objects.requireNonNull(feedback, "feedback"));
    }

    public ClientMetrics metrics() {
        return counters.snapshot(queue.size());
    }

    /**
     * Refuses new items, sends what is queued (waiting at most the close timeout), then stops the flusher;
     * whatever could not be sent in time counts as failed. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down already
            }
        }
        queue.close();
        if (flusher == null) {
            return;
        }
        try {
            if (!flusher.stop(closeTimeout)) {
                LOG.log(System.Logger.Level.WARNING, "Loupe client closed before everything was sent: {0}", metrics());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Settings with their defaults; only {@link #collector} (or {@link #feedback}) is required. */
    public static final class Builder {
        private String collectorUrl;
        private String secretKey;
        private String feedbackUrl;
        private String publicKey;
        private int queueCapacity = 10_000;
        private int maxBatchItems = 500;
        private int maxBatchBytes = 4 * 1024 * 1024;
        private Duration flushInterval = Duration.ofSeconds(1);
        private int maxAttempts = 8;
        private Duration maxRetryElapsed = Duration.ofMinutes(2);
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration closeTimeout = Duration.ofSeconds(10);
        private boolean shutdownHook;
        private ClientListener listener = new ClientListener() {};
        private HttpClient httpClient;

        private Builder() {}

        /** The trace-collector ({@code http://host:8081}) and an API key with the {@code ingest} scope. */
        public Builder collector(String url, String ingestKey) {
            this.collectorUrl = baseUrl(url);
            this.secretKey = requireText(ingestKey, "ingestKey");
            return this;
        }

        /** The feedback-service ({@code http://host:8084}) and the project's public {@code feedback} key. */
        public Builder feedback(String url, String publicKey) {
            this.feedbackUrl = baseUrl(url);
            this.publicKey = requireText(publicKey, "publicKey");
            return this;
        }

        /**
         * Reads what {@code bin/loupe up} writes to {@code .loupe/stack.env}: {@code LOUPE_COLLECTOR_URL} with
         * {@code LOUPE_SECRET_KEY}, and {@code LOUPE_FEEDBACK_URL} with {@code LOUPE_PUBLIC_KEY}, where set.
         */
        public Builder fromEnvironment() {
            String collector = System.getenv("LOUPE_COLLECTOR_URL");
            String secret = System.getenv("LOUPE_SECRET_KEY");
            if (collector != null && secret != null) {
                collector(collector, secret);
            }
            String feedbackService = System.getenv("LOUPE_FEEDBACK_URL");
            String publicKey = System.getenv("LOUPE_PUBLIC_KEY");
            if (feedbackService != null && publicKey != null) {
                feedback(feedbackService, publicKey);
            }
            return this;
        }

        /** Items waiting to be sent; more are dropped and counted (default 10,000). */
        public Builder queueCapacity(int queueCapacity) {
            this.queueCapacity = positive(queueCapacity, "queueCapacity");
            return this;
        }

        /** Items per request (default 500; the collector takes at most {@code max-batch-items}, 1,000). */
        public Builder maxBatchItems(int maxBatchItems) {
            this.maxBatchItems = positive(maxBatchItems, "maxBatchItems");
            return this;
        }

        /** Request body size above which a batch is split (default 4 MiB; the collector takes 5 MB). */
        public Builder maxBatchBytes(int maxBatchBytes) {
            this.maxBatchBytes = positive(maxBatchBytes, "maxBatchBytes");
            return this;
        }

        /** The longest an item waits for its batch to fill up (default 1 s). */
        public Builder flushInterval(Duration flushInterval) {
            this.flushInterval = positive(flushInterval, "flushInterval");
            return this;
        }

        /** Retry budget: attempts per request including the first (default 8) and time since the first (2 min). */
        public Builder retryBudget(int maxAttempts, Duration maxElapsed) {
            this.maxAttempts = positive(maxAttempts, "maxAttempts");
            this.maxRetryElapsed = positive(maxElapsed, "maxElapsed");
            return this;
        }

        /** Exponential backoff with jitter when no Retry-After applies: first wait and cap (500 ms, 30 s). */
        public Builder backoff(Duration initial, Duration max) {
            this.initialBackoff = positive(initial, "initial");
            this.maxBackoff = positive(max, "max");
            return this;
        }

        /** Connect timeout of the built-in HTTP client (default 10 s). */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positive(connectTimeout, "connectTimeout");
            return this;
        }

        /** Time for one request's answer (default 30 s); a timeout is retried like an I/O error. */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = positive(requestTimeout, "requestTimeout");
            return this;
        }

        /** How long {@link #close()} waits for the queue to drain (default 10 s). */
        public Builder closeTimeout(Duration closeTimeout) {
            this.closeTimeout = positive(closeTimeout, "closeTimeout");
            return this;
        }

        /** Closes the client (sending what is queued) when the JVM shuts down (default off). */
        public Builder shutdownHook(boolean shutdownHook) {
            this.shutdownHook = shutdownHook;
            return this;
        }

        public Builder listener(ClientListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Your own HTTP client (proxy, TLS, executor); the connect timeout setting then does not apply. */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
            return this;
        }

        public LoupeClient build() {
            if (collectorUrl == null && feedbackUrl == null) {
                throw new IllegalStateException("configure collector(url, key), feedback(url, key) or both");
            }
            return new LoupeClient(this);
        }

        private static String baseUrl(String url) {
            URI uri = URI.create(requireText(url, "url"));
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException("url must be http or https: " + url);
            }
            return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        }

        private static String requireText(String value, String name) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(name + " is required");
            }
            return value;
        }

        private static int positive(int value, String name) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
            return value;
        }

        private static Duration positive(Duration value, String name) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
            return value;
        }
    }
}
