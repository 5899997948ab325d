package dev.loupe.e2e;

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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Child processes the e2e tests run against the shared stack — the SDKs' test runners, the examples: the
 * environment that points them at the stack, and their output streamed into the test log (with a prefix, so CI
 * shows it) and copied to a file under {@code e2e/target}.
 */
final class ChildProcesses {
    private ChildProcesses() {}

    static Path repositoryRoot() {
        return Paths.get(System.getProperty("loupe.repo.root", ".."))
                .toAbsolutePath()
                .normalize();
    }

    /** The stack's URLs and {@code project}'s keys as the SDKs and examples read them, and nothing else of LOUPE_*. */
    static void pointAtStack(Map<String, String> env, LoupeStack stack, TestProject project) {
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
    }

    /** Starts {@code builder}; a failure to start names {@code what} is needed. */
    static Process start(ProcessBuilder builder, String needed) {
        try {
            return builder.start();
        } catch (IOException e) {
            throw new AssertionError(
                    "cannot run " + builder.command().get(0) + " (" + needed + "): " + e.getMessage(), e);
        }
    }

    /**
     * Reads {@code process}'s output to its end: every line to the test log as {@code [prefix] line}, to
     * {@code log}, and to {@code onLine}.
     */
    static void pipe(Process process, String prefix, Path log, Consumer<String> onLine) {
        try {
            Files.createDirectories(log.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (BufferedReader out =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                Writer file = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = out.readLine()) != null) {
                System.out.println("[" + prefix + "] " + line);
                file.write(line);
                file.write('\n');
                file.flush();
                onLine.accept(line);
            }
        } catch (IOException e) {
            process.destroyForcibly();
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for {@code process} to end; past {@code timeoutSeconds} it is killed and the test fails. */
    static int awaitExit(Process process, long timeoutSeconds, String what, Path log) throws InterruptedException {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(what + " did not finish within " + timeoutSeconds + " s; see " + log);
        }
        return process.exitValue();
    }
}
