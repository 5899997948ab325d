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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The TypeScript SDK ({@code sdk/typescript}) against the shared stack: runs its integration tests
 * ({@code node --test} on {@code sdk/typescript/test/integration/*.test.mjs}, named one by one) with the stack's
 * URLs and projectA's keys in the environment. The tests import the built package ({@code sdk/typescript/dist},
 * which {@code bin/loupe test} builds before Maven). node's output goes to this test's log line by line
 * ({@code [typescript-sdk]}, so CI shows its summary) and to {@code e2e/target/typescript-sdk.log}; the test passes
 * when node exits 0 and its summary counts passed tests and nothing failed, cancelled, skipped or todo.
 */
@ExtendWith(LoupeStack.Extension.class)
class TypeScriptSdkIT {
    private static final long TIMEOUT_SECONDS = 600;
    /** A line of node's summary, from the spec reporter ({@code ℹ pass 4}) or TAP ({@code # pass 4}). */
    private static final Pattern SUMMARY =
            Pattern.compile("^(?:\u2139|#) (tests|pass|fail|cancelled|skipped|todo) (\\d+)$");

    private final LoupeStack stack;

    TypeScriptSdkIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    void theSdksIntegrationTestsPassAgainstTheStack() throws Exception {
        Path root = Paths.get(System.getProperty("loupe.repo.root", ".."))
                .toAbsolutePath()
                .normalize();
        Path sdk = root.resolve("sdk/typescript");
        Path log = root.resolve("e2e/target/typescript-sdk.log");
        Files.createDirectories(log.getParent());
        assertThat(sdk.resolve("dist/esm/index.js"))
                .as("the built SDK (cd sdk/typescript && npm ci && npm run build; bin/loupe test builds it)")
                .isRegularFile();
        List<String> files;
        try (Stream<Path> listing = Files.list(sdk.resolve("test/integration"))) {
            // by name: node 20's --test runs every .mjs below a directory named test, helpers included
            files = listing.map(p -> sdk.relativize(p).toString())
                    .filter(name -> name.endsWith(".test.mjs"))
                    .sorted()
                    .toList();
        }
        assertThat(files).as("the SDK's integration tests").isNotEmpty();
        TestProject project = stack.projectA();

        List<String> command = new ArrayList<>(List.of("node", "--test", "--test-reporter=spec"));
        command.addAll(files);
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(sdk.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("LOUPE_")); // only what this stack says
        env.remove("NODE_OPTIONS");
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
        env.put("NO_COLOR", "1");

        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AssertionError("cannot run node (Node.js 18 or later): " + e.getMessage(), e);
        }
        Map<String, Long> summary = new LinkedHashMap<>();
        try (BufferedReader out =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                Writer file = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = out.readLine()) != null) {
                System.out.println("[typescript-sdk] " + line);
                file.write(line);
                file.write('\n');
                file.flush();
                Matcher m = SUMMARY.matcher(line.strip());
                if (m.matches()) {
                    summary.put(m.group(1), Long.parseLong(m.group(2)));
                }
            }
        } catch (IOException e) {
            process.destroyForcibly();
            throw new UncheckedIOException(e);
        }
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("node --test did not finish within " + TIMEOUT_SECONDS + " s; see " + log);
        }

        assertThat(process.exitValue())
                .as("node --test's exit status (output in %s; summary: %s)", log, summary)
                .isZero();
        assertThat(summary)
                .as("node's test summary (output in %s)", log)
                .containsEntry("fail", 0L)
                .containsEntry("cancelled", 0L)
                .containsEntry("skipped", 0L)
                .containsEntry("todo", 0L)
                .containsKey("pass");
        assertThat(summary.get("pass")).as("tests passed").isPositive().isEqualTo(summary.get("tests"));
    }
}
