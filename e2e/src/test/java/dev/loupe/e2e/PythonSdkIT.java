package dev.loupe.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.testing.TestProject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Python SDK ({@code sdk/python}) against the shared stack: runs its integration tests
 * ({@code python3 -m pytest -v sdk/python/tests/integration}) with the stack's URLs and projectA's keys in the
 * environment. pytest's output goes to this test's log line by line (so CI shows its summary) and to
 * {@code e2e/target/python-sdk.log}; the test passes when pytest exits 0 and its summary counts passed tests and
 * nothing failed, errored or skipped.
 */
@ExtendWith(LoupeStack.Extension.class)
class PythonSdkIT {
    private static final long TIMEOUT_SECONDS = 600;
    /** pytest's last line: {@code ===== 4 passed in 12.34s =====}, or with failed / error / skipped counts. */
    private static final Pattern SUMMARY =
            Pattern.compile("^=+ (.*\\d+ (passed|failed|errors?|skipped).*) in [\\d.]+s.* =+$");

    private final LoupeStack stack;

    PythonSdkIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    void theSdksIntegrationTestsPassAgainstTheStack() throws Exception {
        Path root = Paths.get(System.getProperty("loupe.repo.root", ".."))
                .toAbsolutePath()
                .normalize();
        Path log = root.resolve("e2e/target/python-sdk.log");
        Files.createDirectories(log.getParent());
        TestProject project = stack.projectA();

        String python = Files.isExecutable(Paths.get("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        ProcessBuilder builder = new ProcessBuilder(
                        python, "-m", "pytest", "-v", "-p", "no:cacheprovider", "sdk/python/tests/integration")
                .directory(root.toFile())
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("LOUPE_")); // only what this stack says
        env.put("LOUPE_COLLECTOR_URL", stack.url(LoupeStack.COLLECTOR));
        env.put("LOUPE_FEEDBACK_URL", stack.url(LoupeStack.FEEDBACK));
        env.put("LOUPE_AGGREGATOR_URL", stack.url(LoupeStack.AGGREGATOR));
        env.put("LOUPE_EVAL_URL", stack.url(LoupeStack.EVALS));
        env.put("LOUPE_API_KEY", project.secretKey());
        env.put("LOUPE_PUBLIC_KEY", project.publicKey());
        env.put("LOUPE_ADMIN_KEY", project.adminKey());
        // lets the tests check the stored user id is exactly the collector's HMAC
        env.put("LOUPE_IDENTIFIERS_SECRET", stack.secrets().get("LOUPE_IDENTIFIERS_SECRET"));
        env.put("LOUPE_PROJECT_ID", project.id());
        env.put("PYTHONUNBUFFERED", "1");

        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AssertionError(
                    "cannot run " + python + " (Python 3.9+ with pytest: apt-get install python3-pytest): "
                            + e.getMessage(),
                    e);
        }
        List<String> lines = new ArrayList<>();
        try (BufferedReader out =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                Writer file = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = out.readLine()) != null) {
                System.out.println("[python-sdk] " + line);
                file.write(line);
                file.write('\n');
                file.flush();
                lines.add(line);
            }
        } catch (IOException e) {
            process.destroyForcibly();
            throw new UncheckedIOException(e);
        }
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("pytest did not finish within " + TIMEOUT_SECONDS + " s; see " + log);
        }

        String summary = lines.stream()
                .map(SUMMARY::matcher)
                .filter(Matcher::matches)
                .map(m -> m.group(1))
                .reduce((first, second) -> second)
                .orElse("");
        assertThat(process.exitValue())
                .as("pytest's exit status (output in %s; last summary: %s)", log, summary)
                .isZero();
        assertThat(summary).as("pytest's summary line").matches("\\d+ passed");
    }
}
