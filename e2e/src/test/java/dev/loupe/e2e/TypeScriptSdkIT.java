package dev.loupe.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        Path root = ChildProcesses.repositoryRoot();
        Path sdk = root.resolve("sdk/typescript");
        Path log = root.resolve("e2e/target/typescript-sdk.log");
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

        List<String> command = new ArrayList<>(List.of("node", "--test", "--test-reporter=spec"));
        command.addAll(files);
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(sdk.toFile()).redirectErrorStream(true);
        ChildProcesses.pointAtStack(builder.environment(), stack, stack.projectA());
        builder.environment().remove("NODE_OPTIONS");
        builder.environment().put("NO_COLOR", "1");

        Process process = ChildProcesses.start(builder, "Node.js 18 or later");
        Map<String, Long> summary = new LinkedHashMap<>();
        ChildProcesses.pipe(process, "typescript-sdk", log, line -> {
            Matcher m = SUMMARY.matcher(line.strip());
            if (m.matches()) {
                summary.put(m.group(1), Long.parseLong(m.group(2)));
            }
        });
        int exit = ChildProcesses.awaitExit(process, TIMEOUT_SECONDS, "node --test", log);

        assertThat(exit)
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
