package dev.loupe.testing.nativeimage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service's runtime class path as Maven resolved it: what Quarkus packages, and so what goes into the native image.
 * Each service writes it in {@code generate-test-resources} with {@code dependency:list} (the root pom's execution
 * {@code runtime-classpath}) to {@code target/runtime-classpath.txt}; test scope is left out, so a test library can
 * neither hide nor fake a finding.
 */
public final class RuntimeClasspath {
    /** Where the root pom's {@code runtime-classpath} execution writes the list, relative to the module. */
    public static final Path FILE = Path.of("target", "runtime-classpath.txt");

    // "   com.github.ben-manes.caffeine:caffeine:jar:3.2.2:compile:/root/.m2/.../caffeine-3.2.2.jar -- module ..."
    private static final Pattern LINE =
            Pattern.compile("^\\s+([^:\\s]+):([^:\\s]+):([^:\\s]+):(?:([^:\\s]+):)?([^:\\s]+):(compile|runtime):(.+?)"
                    + "(?:\\s+--\\s+module.*)?$");

    /** One resolved artifact: {@code groupId:artifactId} and its file (a jar, or a reactor module's classes). */
    public record Artifact(String groupId, String artifactId, Path file) {
        public String key() {
            return groupId + ":" + artifactId;
        }
    }

    private RuntimeClasspath() {}

    /** The module's runtime artifacts; fails when the list was not written (the build did not run the execution). */
    public static List<Artifact> read() {
        return read(FILE);
    }

    public static List<Artifact> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file.toAbsolutePath() + " is missing: declare maven-dependency-plugin in "
                    + "this module's <build><plugins> so the root pom's runtime-classpath execution writes it");
        }
        try {
            return parse(Files.readAllLines(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Artifact> parse(List<String> lines) {
        List<Artifact> artifacts = new ArrayList<>();
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                artifacts.add(
                        new Artifact(m.group(1), m.group(2), Path.of(m.group(7).trim())));
            }
        }
        if (artifacts.isEmpty()) {
            throw new IllegalStateException("no artifact in the runtime class path list: " + lines);
        }
        return artifacts;
    }
}
