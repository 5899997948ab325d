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
                    return new InetAddress[] {InetAddress.getByName(host)};
                }
                throw new UnknownHostException(host);
            }
            return new InetAddress[] {InetAddress.getByName(address)};
        });
    }

    @Test
    void publicHttpsUrlIsAllowed() {
        assertThatCode(() -> policy().check(URI.create("https://hooks.slack.com/services/T/B/X")))
                .doesNotThrowAnyException();
    }

    @Test
    void privateLoopbackLinkLocalAndUniqueLocalAreRefused() {
        EgressPolicy policy = policy();
        assertThatThrownBy(() -> policy.check(URI.create("http://internal.corp/hook")))
                .hasMessageContaining("private");
        assertThatThrownBy(() -> policy.check(URI.create("http://localhost:8080/")))
                .hasMessageContaining("loopback");
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
        assertThatThrownBy(() -> policy().check(URI.create("file:///etc/passwd")))
                .isInstanceOf(EgressDeniedException.class);
        assertThatThrownBy(() -> policy().check(URI.create("gopher://hooks.slack.com/")))
                .hasMessageContaining("gopher");
        assertThatThrownBy(() -> policy().check(URI.create("https://nowhere.invalid/")))
                .hasMessageContaining("resolve");
    }

    @Test
    void everyPrivateLinkLocalAndMetadataSpellingIsRefused() {
        EgressPolicy policy = policy();
        for (String url : List.of(
                "http://10.0.0.1/",
                "http://172.16.0.1/",
                "http://172.31.255.254/",
                "http://192.168.1.1/",
                "http://169.254.169.254/latest/meta-data/",
                "http://100.64.0.1/",
                "http://0.0.0.0/",
                "http://0.1.2.3/",
                "http://[fd00::1]/",
                "http://[fe80::1]/",
                "http://[::1]/",
                "http://[::]/",
                "http://127.0.0.2/",
                "http://[::ffff:10.0.0.1]/",
                "http://[::ffff:169.254.169.254]/",
                "http://[::ffff:7f00:1]/",
                "http://[::10.0.0.1]/",
                "http://[::a9fe:a9fe]/",
                "http://[64:ff9b::10.0.0.1]/",
                "http://[2002:a00:1::]/",
                "http://[2002:a9fe:a9fe::1]/")) {
            assertThatThrownBy(() -> policy.check(URI.create(url))).as(url).isInstanceOf(EgressDeniedException.class);
        }
    }

    @Test
    void ipv4AddressesInAmbiguousSpellingsAreRefused() {
        // Java reads 0177.0.0.1 as 177.0.0.1 (public), curl and glibc as 127.0.0.1: neither reading is trusted
        for (String url : List.of(
                "http://2130706433/",
                "http://167772161/",
                "http://0177.0.0.1/",
                "http://012.0.0.1/",
                "http://10.1/",
                "http://127.1/",
                "http://10.0.0.1./",
                "http://0x7f.0.0.1/",
                "http://0xa9fea9fe/")) {
            assertThatThrownBy(() -> policy("0.0.0.0/0").check(URI.create(url)))
                    .as(url)
                    .isInstanceOf(EgressDeniedException.class);
        }
        assertThatCode(() -> policy().check(URI.create("http://34.226.36.50/hook")))
                .doesNotThrowAnyException();
        assertThatCode(() -> policy().check(URI.create("http://[2002:22e2:2432::1]/")))
                .doesNotThrowAnyException();
        assertThatCode(() -> policy().check(URI.create("http://[2606:4700::1111]/")))
                .doesNotThrowAnyException();
    }
}
