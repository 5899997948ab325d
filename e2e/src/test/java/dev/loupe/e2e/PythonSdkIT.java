package dev.loupe.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
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
        Path root = ChildProcesses.repositoryRoot();
        Path log = root.resolve("e2e/target/python-sdk.log");
        String python = Files.isExecutable(Paths.get("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        ProcessBuilder builder = new ProcessBuilder(
                        python, "-m", "pytest", "-v", "-p", "no:cacheprovider", "sdk/python/tests/integration")
                .directory(root.toFile())
                .redirectErrorStream(true);
        ChildProcesses.pointAtStack(builder.environment(), stack, stack.projectA());
        builder.environment().put("PYTHONUNBUFFERED", "1");

        Process process = ChildProcesses.start(builder, "Python 3.9+ with pytest: apt-get install python3-pytest");
        List<String> lines = new ArrayList<>();
        ChildProcesses.pipe(process, "python-sdk", log, lines::add);
        int exit = ChildProcesses.awaitExit(process, TIMEOUT_SECONDS, "pytest", log);

        String summary = lines.stream()
                .map(SUMMARY::matcher)
                .filter(Matcher::matches)
                .map(m -> m.group(1))
                .reduce((first, second) -> second)
                .orElse("");
        assertThat(exit)
                .as("pytest's exit status (output in %s; last summary: %s)", log, summary)
                .isZero();
        assertThat(summary).as("pytest's summary line").matches("\\d+ passed");
    }
}
