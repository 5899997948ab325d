package dev.loupe.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.loupe.common.egress.EgressPolicy;
import dev.loupe.common.http.ProblemException;
import io.vertx.mutiny.core.Vertx;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What every HTTP receiver must do, whatever its format: answers mapped to deliveries, a time limit per attempt,
 * the egress policy before every send and in validation, and no URL path (which may hold a token) in a detail.
 * Each notifier's test extends it and adds its wire format.
 */
abstract class HttpNotifierContract {
    static final EgressPolicy LOOPBACK = new EgressPolicy(List.of("127.0.0.1"));
    static final EgressPolicy NOTHING_PRIVATE = new EgressPolicy(List.of());
    /** For the slow receiver; the other tests allow more, so a cold JVM's first request cannot time out. */
    static final ReceiversConfig FAST = () -> Duration.ofMillis(300);

    static final ReceiversConfig PATIENT = () -> Duration.ofSeconds(5);
    /** Stands for the token Slack and generic webhooks carry in their path. */
    static final String SECRET = "s3cr3t-t0ken";

    static Vertx vertx;
    FakeReceiver fake;
    Notifier notifier;

    abstract Notifier create(EgressPolicy egress, ReceiversConfig config);

    /** The receiver's settings pointing at {@code url}. */
    abstract ObjectNode settings(String url);

    /** The path the notifier posts to when its URL setting is {@code /hooks/<SECRET>}. */
    String expectedPath() {
        return "/hooks/" + SECRET;
    }

    int successStatus() {
        return 200;
    }

    String successBody() {
        return "";
    }

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.closeAndAwait();
    }

    @BeforeEach
    void startFake() {
        fake = FakeReceiver.start(vertx);
        notifier = create(LOOPBACK, PATIENT);
    }

    @AfterEach
    void stopFake() {
        fake.close();
    }

    ReceiverConfig receiver(String url) {
        return new ReceiverConfig(
                TestNotifications.PROJECT, TestNotifications.RECEIVER, notifier.type(), settings(url));
    }

    Delivery send(GroupNotification notification) {
        return notifier.send(receiver(fake.url("/hooks/" + SECRET)), notification)
                .await()
                .atMost(FakeReceiver.SEND_WAIT);
    }

    @Test
    void successfulAnswerIsDelivered() {
        fake.answer(successStatus(), successBody());

        Delivery delivery = send(TestNotifications.firing());

        assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.DELIVERED);
        FakeReceiver.Request request = fake.take();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo(expectedPath());
        assertThat(request.headers().get("Content-Type")).isEqualTo("application/json");
    }

    @ParameterizedTest(name = "{0} {1} Retry-After {2} → {3}")
    @CsvSource(
            nullValues = "-",
            value = {
                "429, rate_limited,           7,                             RETRY,  7",
                "429, rate_limited,           -,                             RETRY,  -",
                "429, rate_limited,           soon,                          RETRY,  -",
                "429, rate_limited,           'Wed, 21 Oct 2015 07:28:00 GMT', RETRY,  0",
                "500, internal error,         -,                             RETRY,  -",
                "503, unavailable,            120,                           RETRY,  -",
                "400, invalid_payload,        -,                             FAILED, -",
                "403, action_prohibited,      -,                             FAILED, -",
                "404, channel_not_found,      -,                             FAILED, -",
                "410, channel_is_archived,    -,                             FAILED, -",
                "302, '',                     -,                             FAILED, -"
            })
    void answersAreMappedToDeliveries(
            int status, String body, String retryAfter, Delivery.Outcome outcome, Long afterSeconds) {
        if (retryAfter == null) {
            fake.answer(status, body);
        } else {
            fake.answer(status, body, "Retry-After", retryAfter);
        }

        Delivery delivery = send(TestNotifications.firing());

        assertThat(delivery.outcome()).isEqualTo(outcome);
        assertThat(delivery.after()).isEqualTo(afterSeconds == null ? null : Duration.ofSeconds(afterSeconds));
        assertThat(delivery.detail())
                .contains("127.0.0.1 answered " + status)
                .contains(body)
                .doesNotContain(SECRET);
    }

    @Test
    void theRequestGoesToTheAddressThePolicyCheckedNotToASecondLookup() throws Exception {
        // the policy resolves the name to 127.0.0.1 (allowed); a client resolving it again could get another answer
        // (DNS rebinding to a private address) — here it would find no such name at all and not deliver
        InetAddress checked = InetAddress.getByName("127.0.0.1");
        notifier = create(new EgressPolicy(List.of("127.0.0.0/8"), host -> new InetAddress[] {checked}), PATIENT);
        fake.answer(successStatus(), successBody());
        String url = fake.url("/hooks/" + SECRET).replace("127.0.0.1", "receiver.rebind.invalid");

        Delivery delivery =
                notifier.send(receiver(url), TestNotifications.firing()).await().atMost(FakeReceiver.SEND_WAIT);

        assertThat(delivery.outcome()).as(delivery.detail()).isEqualTo(Delivery.Outcome.DELIVERED);
        assertThat(fake.take().headers().get("Host")).startsWith("receiver.rebind.invalid");
    }

    @Test
    void slowReceiverIsRetriedAfterTheTimeout() {
        notifier = create(LOOPBACK, FAST);
        fake.silent();
        long started = System.nanoTime();

        Delivery delivery = send(TestNotifications.firing());

        assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.RETRY);
        assertThat(delivery.after()).isNull();
        assertThat(delivery.detail()).contains("did not answer in time").doesNotContain(SECRET);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void refusedConnectionIsRetried() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        Delivery delivery = notifier.send(
                        receiver("http://127.0.0.1:" + closedPort + "/hooks/" + SECRET), TestNotifications.firing())
                .await()
                .atMost(FakeReceiver.SEND_WAIT);

        assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.RETRY);
        assertThat(delivery.after()).isNull();
        assertThat(delivery.detail()).contains("127.0.0.1").doesNotContain(SECRET);
    }

    @Test
    void privateAddressIsRefusedBeforeSending() {
        notifier = create(NOTHING_PRIVATE, PATIENT);

        Delivery delivery = notifier.send(receiver("http://10.0.0.1/hook"), TestNotifications.firing())
                .await()
                .atMost(FakeReceiver.SEND_WAIT);

        assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.FAILED);
        assertThat(delivery.detail()).contains("egress policy").contains("10.0.0.1");
    }

    @Test
    void validationAcceptsAnAllowedUrl() {
        ObjectNode settings = settings(fake.url("/hooks/" + SECRET));
        String given = settings.toString();

        notifier.validate(settings); // the loopback policy allows 127.0.0.1

        assertThat(settings.toString())
                .as("validation leaves the settings as given")
                .isEqualTo(given);
        // what validation accepted is what a send uses, and it reaches the receiver
        fake.answer(successStatus(), successBody());
        Delivery delivery = notifier.send(
                        new ReceiverConfig(
                                TestNotifications.PROJECT, TestNotifications.RECEIVER, notifier.type(), settings),
                        TestNotifications.firing())
                .await()
                .atMost(FakeReceiver.SEND_WAIT);
        assertThat(delivery.outcome()).as(delivery.detail()).isEqualTo(Delivery.Outcome.DELIVERED);
        assertThat(fake.take().path()).isEqualTo(expectedPath());
        // accepted because the policy allows the address, not because validation lets everything through
        assertThatThrownBy(() -> create(NOTHING_PRIVATE, PATIENT).validate(settings))
                .isInstanceOfSatisfying(
                        ProblemException.class,
                        e -> assertThat(e.toProblem().field()).isEqualTo("settings.url"));
    }

    @Test
    void validationRefusesAPrivateAddressNamingTheField() {
        Notifier strict = create(NOTHING_PRIVATE, PATIENT);

        assertThatThrownBy(() -> strict.validate(settings("http://10.0.0.1/hook")))
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.toProblem().field()).isEqualTo("settings.url");
                    assertThat(e.getMessage()).contains("egress policy");
                });
    }

    @Test
    void validationRefusesWhatIsNotAnHttpUrl() {
        for (String url : List.of("ftp://example.com/hook", "/relative/" + SECRET, "http://exa mple.com/" + SECRET)) {
            assertThatThrownBy(() -> notifier.validate(settings(url)))
                    .as(url)
                    .isInstanceOfSatisfying(ProblemException.class, e -> {
                        assertThat(e.toProblem().field()).isEqualTo("settings.url");
                        assertThat(e.getMessage()).doesNotContain(SECRET);
                    });
        }
    }

    /** A receiver without a URL is refused (PagerDuty overrides this: its URL has a default). */
    @Test
    void validationOfAMissingUrl() {
        ObjectNode settings = settings("http://example.com/");
        settings.remove("url");

        assertThatThrownBy(() -> notifier.validate(settings))
                .isInstanceOfSatisfying(
                        ProblemException.class,
                        e -> assertThat(e.toProblem().field()).isEqualTo("settings.url"));
    }

    @Test
    void validationRequiresAnObject() {
        assertThatThrownBy(() -> notifier.validate(TextNode.valueOf("http://example.com/")))
                .isInstanceOfSatisfying(
                        ProblemException.class,
                        e -> assertThat(e.toProblem().field()).isEqualTo("settings"));
    }
}
