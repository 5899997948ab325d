package dev.loupe.testing.nativeimage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The native-image checks of one service, run by its {@code NativeDisciplineTest} over what the service ships: its
 * runtime class path ({@link RuntimeClasspath}), and the Loupe code on it (the service's classes, {@code
 * loupe-common}, {@code loupe-contracts}).
 */
public final class LoupeImage {
    private final List<RuntimeClasspath.Artifact> runtime;
    private final List<Path> loupeCode;

    private LoupeImage(List<RuntimeClasspath.Artifact> runtime, List<Path> loupeCode) {
        this.runtime = runtime;
        this.loupeCode = loupeCode;
    }

    /** The service whose module directory is the working directory (as under Surefire). */
    public static LoupeImage ofThisModule() {
        List<RuntimeClasspath.Artifact> runtime = RuntimeClasspath.read();
        List<Path> code = new ArrayList<>();
        code.add(Path.of("target", "classes"));
        runtime.stream()
                .filter(a -> a.groupId().equals("dev.loupe"))
                .map(RuntimeClasspath.Artifact::file)
                .filter(Files::exists)
                .forEach(code::add);
        return new LoupeImage(runtime, code);
    }

    public List<RuntimeClasspath.Artifact> runtime() {
        return runtime;
    }

    /** Class directories and jars of Loupe's own code in the image. */
    public List<Path> loupeCode() {
        return loupeCode;
    }

    /** Libraries present without their Quarkus extension ({@link ExtensionRules}). */
    public List<String> librariesWithoutTheirExtension() {
        return ExtensionRules.librariesWithoutTheirExtension(runtime);
    }

    /** Static state a native build would freeze ({@link BuildTimeState}). */
    public List<String> buildTimeState() {
        return BuildTimeState.findings(loupeCode, "dev.loupe");
    }

    /** Jackson-bound Loupe types that are not registered for reflection ({@link JacksonReach}). */
    public Set<String> unregisteredJacksonTypes() {
        return JacksonReach.unregistered(
                loupeCode, "dev.loupe", Thread.currentThread().getContextClassLoader());
    }

    /** Class-path resources the code reads by a constant name that the native image would not hold. */
    public Set<String> unregisteredResources() {
        return NativeResources.unregistered(
                loupeCode,
                "dev.loupe",
                Path.of("src", "main", "resources", "application.properties"),
                Thread.currentThread().getContextClassLoader());
    }

    /** Every Jackson-bound Loupe type, so a test can show the scan found the ones it must. */
    public Set<String> jacksonBoundTypes() {
        return JacksonReach.boundTypes(
                loupeCode, "dev.loupe", Thread.currentThread().getContextClassLoader());
    }
}
