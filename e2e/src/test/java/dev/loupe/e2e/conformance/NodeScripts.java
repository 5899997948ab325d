package dev.loupe.e2e.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Node side of the conformance suite ({@code conformance/} at the repository's root): the fake
 * provider as a child process, and a scenario script whose stdout is one JSON line per scenario. Needs
 * {@code node} on PATH and {@code npm ci} run in {@code conformance/} ({@code bin/loupe test} does that).
 */
final class NodeScripts {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SCRIPT_TIMEOUT_SECONDS = 180;

    private NodeScripts() {}

    static Path directory() {
        Path dir = Paths.get(System.getProperty("loupe.repo.root", ".."))
                .toAbsolutePath()
                .normalize()
                .resolve("conformance");
        if (!Files.isDirectory(dir.resolve("node_modules"))) {
            throw new IllegalStateException("conformance/node_modules is missing: run `npm ci` in " + dir
                    + " first (bin/loupe test does; it needs Node.js 18.19+ or 20.6+ and npm)");
        }
        return dir;
    }

    private static Path logDirectory() {
        Path logs = Paths.get(System.getProperty("loupe.repo.root", ".."))
                .toAbsolutePath()
                .normalize()
                .resolve("e2e/target/conformance");
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return logs;
    }

    private static ProcessBuilder node(String... args) {
        List<String> command = new ArrayList<>();
        command.add("node");
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(directory().toFile());
    }

    private static Process start(ProcessBuilder builder) {
        try {
            return builder.start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot start `node` (Node.js 18.19+ or 20.6+ must be on PATH): " + e.getMessage(), e);
        }
    }

    /** The fake LLM provider ({@code fake-provider.mjs}) on a free port; close it to stop it. */
    static final class FakeProvider implements AutoCloseable {
        private final Process process;
        private final int port;

        private FakeProvider(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static FakeProvider start() {
            ProcessBuilder builder = node("fake-provider.mjs", "0")
                    .redirectError(logDirectory().resolve("fake-provider.err").toFile());
            Process process = NodeScripts.start(builder);
            try {
                BufferedReader out =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                String line = out.readLine();
                if (line == null) {
                    throw new IllegalStateException(
                            "fake-provider.mjs exited before listening; see e2e/target/conformance/fake-provider.err");
                }
                return new FakeProvider(process, JSON.readTree(line).get("port").asInt());
            } catch (IOException e) {
                process.destroyForcibly();
                throw new UncheckedIOException(e);
            }
        }

        String url() {
            return "http://127.0.0.1:" + port;
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    /**
     * Runs {@code script} with the collector, key, provider and run id in its environment; returns its JSON lines
     * by scenario name. Fails with the script's stderr when it exits non-zero.
     */
    static Map<String, JsonNode> run(String script, Map<String, String> env) {
        Path log = logDirectory().resolve(script + ".err");
        ProcessBuilder builder = node(script).redirectError(log.toFile());
        builder.environment().putAll(env);
        Process process = start(builder);
        try {
            String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(script + " did not finish within " + SCRIPT_TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(script + " exited " + process.exitValue() + ": " + Files.readString(log)
                        + "\nstdout: " + stdout);
            }
            Map<String, JsonNode> byScenario = new LinkedHashMap<>();
            for (String line : stdout.split("\n")) {
                if (!line.isBlank()) {
                    JsonNode result = JSON.readTree(line);
                    byScenario.put(result.get("scenario").asText(), result);
                }
            }
            System.out.printf("[conformance] %s: %d scenarios%n", script, byScenario.size());
            return byScenario;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
