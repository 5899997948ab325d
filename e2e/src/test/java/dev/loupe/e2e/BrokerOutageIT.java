package dev.loupe.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loupe.common.events.SpanRecord;
import dev.loupe.common.events.Topics;
import dev.loupe.common.json.EventJson;
import dev.loupe.testing.TestSpans;
import dev.loupe.testing.TopicReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A 2xx from the collector means "in Kafka exactly once", even when the broker dies under load. */
@ExtendWith(LoupeStack.Extension.class)
class BrokerOutageIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final LoupeStack stack;

    BrokerOutageIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    void stoppingTheBrokerMidLoadLosesAndDuplicatesNothingAcknowledged() throws Exception {
        String traceId = TestSpans.randomHex(32); // one trace: every span lands on one partition
        List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(2);
        for (int c = 0; c < 2; c++) {
            clients.submit(() -> {
                while (running.get()) {
                    List<TestSpans> batch = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        batch.add(TestSpans.llm().with("traceId", traceId));
                    }
                    int status = post(batch);
                    statuses.merge(status, 1, Integer::sum);
                    if (status == 200) {
                        batch.forEach(s -> acknowledged.add(s.spanId()));
                    }
                }
                return null;
            });
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 100);
        stack.kafka().kill();
        await().atMost(Duration.ofSeconds(30)).until(() -> statuses.getOrDefault(503, 0) >= 2);
        stack.kafka().start();
        int before = acknowledged.size();
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= before + 100);
        running.set(false);
        clients.shutdown();
        assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        assertThat(statuses.keySet()).as("statuses seen: " + statuses).isSubsetOf(200, 503, 429);
        Map<String, Long> onKafka = TopicReader.readAll(stack.kafka().bootstrapServers(), Topics.SPANS).stream()
                .filter(r -> traceId.equals(r.key()))
                .map(r -> EventJson.decode(r.value(), SpanRecord.class).spanId())
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(acknowledged).allSatisfy(spanId -> assertThat(onKafka.get(spanId)).as(spanId).isEqualTo(1L));
        assertThat(onKafka.values()).as("no span id twice on the topic").allMatch(n -> n == 1L);
        stack.awaitAllReady(); // the stack is shared: leave it as found

        // leave the shared stack as we found it: everyone reconnected to the restarted broker
        for (String service : List.of(LoupeStack.COLLECTOR, LoupeStack.AGGREGATOR, LoupeStack.EVALS,
                LoupeStack.FEEDBACK, LoupeStack.ALERTS)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> stack.service(service).ready());
        }
    }

    private int post(List<TestSpans> spans) {
        String body = EventJson.encode(Map.of("spans", spans.stream().map(TestSpans::build).toList()));
        try {
            HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(
                            URI.create(stack.url(LoupeStack.COLLECTOR) + "/v1/spans"))
                    .timeout(Duration.ofSeconds(20))
                    .header("Authorization", "Bearer " + stack.projectA().secretKey())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -2;
        }
    }
}
