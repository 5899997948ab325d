package dev.loupe.e2e;

import static io.restassured.RestAssured.given;

import dev.loupe.testing.TestProject;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every receiver URL a project can set (webhook, Slack, PagerDuty, Alertmanager) is refused with a 400 naming
 * {@code url} when it points at a private, link-local, metadata, CGNAT, unique-local, wildcard or IPv4-embedding
 * address, or spells an address ambiguously; nothing is stored. The stack allowlists only loopback, which is
 * accepted. (Names resolving to private addresses and the check before each delivery are unit-tested in
 * {@code common}'s {@code EgressPolicyTest} and alert-manager's {@code HttpNotifierContract}; the judge's URL is
 * operator configuration, checked on every call.)
 */
@ExtendWith(LoupeStack.Extension.class)
class SsrfIT {
    private static final List<String> REFUSED = List.of(
            "http://10.0.0.1/hook",
            "http://172.16.0.1/hook",
            "http://192.168.1.1/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://metadata.google.internal/",
            "http://100.64.0.1/hook",
            "http://0.0.0.0/hook",
            "http://[fd00::1]/hook",
            "http://[fe80::1]/hook",
            "http://[::ffff:10.0.0.1]/hook",
            "http://[::ffff:169.254.169.254]/",
            "http://[::a9fe:a9fe]/",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://2130706433/hook",
            "http://0177.0.0.1/hook",
            "http://127.1/hook",
            "file:///etc/passwd",
            "gopher://127.0.0.1:25/");

    private final LoupeStack stack;

    SsrfIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    void receiverUrlsToPrivateOrMetadataAddressesAreRefusedNamingTheField() {
        TestProject project = stack.newProject("ssrf");
        SoftAssertions softly = new SoftAssertions();
        Map<String, Integer> refusedPerType = new LinkedHashMap<>();
        for (String type : List.of("webhook", "slack", "pagerduty", "alertmanager")) {
            int refused = 0;
            for (String url : REFUSED) {
                Response response = putReceiver(project, type, url);
                String what = type + " " + url + ": " + response.asString();
                softly.assertThat(response.statusCode()).as(what).isEqualTo(400);
                softly.assertThat(response.contentType()).as(what).startsWith("application/problem+json");
                softly.assertThat(response.jsonPath().getString("field"))
                        .as(what)
                        .isEqualTo("url");
                refused += response.statusCode() == 400 ? 1 : 0;
            }
            refusedPerType.put(type, refused);
            softly.assertThat(putReceiver(project, type, "http://127.0.0.1:9/hook")
                            .statusCode())
                    .as(type + " on the allowlisted loopback")
                    .isEqualTo(200);
        }
        List<String> stored = new ArrayList<>(given().auth()
                .oauth2(project.secretKey())
                .get(stack.url(LoupeStack.ALERTS) + "/v1/receivers")
                .jsonPath()
                .getList("receivers.name"));
        softly.assertThat(stored)
                .as("only the allowlisted receivers are stored")
                .containsExactlyInAnyOrder("ok-webhook", "ok-slack", "ok-pagerduty", "ok-alertmanager");
        System.out.printf("SSRF: refused per receiver type (of %d hostile URLs): %s%n", REFUSED.size(), refusedPerType);
        softly.assertAll();
    }

    private Response putReceiver(TestProject project, String type, String url) {
        boolean allowed = url.startsWith("http://127.0.0.1:");
        Map<String, Object> body = new LinkedHashMap<>(Map.of("type", type, "url", url));
        if (type.equals("pagerduty")) {
            body.put("routingKey", "0123456789abcdef0123456789abcdef");
        }
        String name = allowed ? "ok-" + type : "bad-" + type;
        return given().auth()
                .oauth2(project.adminKey())
                .contentType(ContentType.JSON)
                .body(body)
                .put(stack.url(LoupeStack.ALERTS) + "/v1/receivers/" + name);
    }
}
