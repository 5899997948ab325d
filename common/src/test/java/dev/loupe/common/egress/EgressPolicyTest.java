package dev.loupe.common.egress;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EgressPolicyTest {
    /** Resolves from a fixed table, so no test depends on DNS. */
    private static final Map<String, String> HOSTS = Map.of(
            "hooks.slack.com", "34.226.36.50",
            "internal.corp", "10.1.2.3",
            "sneaky.example", "169.254.169.254",
            "localhost", "127.0.0.1",
            "v6.local", "fd00::1");

    private static EgressPolicy policy(String... allow) {
        return new EgressPolicy(List.of(allow), host -> {
            String address = HOSTS.get(host);
            if (address == null) {
                if (host.matches("[0-9.]+") || host.contains(":")) {
                    return new InetAddress[]{InetAddress.getByName(host)};
                }
                throw new UnknownHostException(host);
            }
            return new InetAddress[]{InetAddress.getByName(address)};
        });
    }

    @Test
    void publicHttpsUrlIsAllowed() {
        assertThatCode(() -> policy().check(URI.create("https://hooks.slack.com/services/T/B/X"))).doesNotThrowAnyException();
    }

    @Test
    void privateLoopbackLinkLocalAndUniqueLocalAreRefused() {
        EgressPolicy policy = policy();
        assertThatThrownBy(() -> policy.check(URI.create("http://internal.corp/hook"))).hasMessageContaining("private");
        assertThatThrownBy(() -> policy.check(URI.create("http://localhost:8080/"))).hasMessageContaining("loopback");
        assertThatThrownBy(() -> policy.check(URI.create("http://sneaky.example/latest/meta-data")))
                .hasMessageContaining("link-local");
        assertThatThrownBy(() -> policy.check(URI.create("http://[fd00::1]/"))).hasMessageContaining("unique-local");
        assertThatThrownBy(() -> policy.check(URI.create("http://metadata.google.internal/computeMetadata/v1/")))
                .hasMessageContaining("metadata");
    }

    @Test
    void allowlistedBlockOrHostIsPermitted() {
        assertThatCode(() -> policy("127.0.0.0/8").check(URI.create("http://localhost:9999/hook")))
                .doesNotThrowAnyException();
        assertThatCode(() -> policy("internal.corp").check(URI.create("https://internal.corp/hook")))
                .doesNotThrowAnyException();
        assertThatCode(() -> policy("10.1.0.0/16").check(URI.create("https://internal.corp/hook")))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> policy("10.2.0.0/16").check(URI.create("https://internal.corp/hook")))
                .isInstanceOf(EgressDeniedException.class);
    }

    @Test
    void nonHttpSchemesAndUnresolvableHostsAreRefused() {
        assertThatThrownBy(() -> policy().check(URI.create("file:///etc/passwd"))).isInstanceOf(EgressDeniedException.class);
        assertThatThrownBy(() -> policy().check(URI.create("gopher://hooks.slack.com/"))).hasMessageContaining("gopher");
        assertThatThrownBy(() -> policy().check(URI.create("https://nowhere.invalid/"))).hasMessageContaining("resolve");
    }
}
