package dev.loupe.testing.nativeimage;

import io.quarkus.runtime.annotations.RegisterResources;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Class-path resources Loupe's code reads at run time must be in the native image, which holds only the resources
 * registered for it: {@code quarkus.native.resources.includes}, {@code @RegisterResources}, or what an extension adds
 * ({@code META-INF/resources/} is the web root, which Quarkus includes). An unregistered one reads as {@code null}
 * in the executable while every JVM test passes. Found here: a string constant handed to {@code getResource},
 * {@code getResourceAsStream} or {@code getResources}; a name built at run time is not seen.
 */
public final class NativeResources {
    private static final Set<String> READERS = Set.of("getResource", "getResourceAsStream", "getResources");

    private NativeResources() {}

    /** The resource names read by the classes under roots (with prefix) that no glob registers. */
    public static Set<String> unregistered(
            List<Path> roots, String prefix, Path applicationProperties, ClassLoader loader) {
        List<String> globs = new ArrayList<>(List.of("META-INF/resources/**"));
        globs.addAll(configured(applicationProperties));
        Set<String> read = new TreeSet<>();
        for (Path root : roots) {
            BuildTimeState.forEachClass(root, prefix, bytes -> {
                ClassReader reader = new ClassReader(bytes);
                read.addAll(readResources(reader));
                try {
                    Class<?> type = Class.forName(reader.getClassName().replace('/', '.'), false, loader);
                    for (RegisterResources r : type.getAnnotationsByType(RegisterResources.class)) {
                        globs.addAll(List.of(r.globs()));
                    }
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        Set<String> missing = new TreeSet<>();
        for (String name : read) {
            String path = name.startsWith("/") ? name.substring(1) : name;
            boolean covered = globs.stream()
                    .anyMatch(g -> FileSystems.getDefault()
                            .getPathMatcher("glob:" + g.trim())
                            .matches(Path.of(path)));
            if (!covered) {
                missing.add(path);
            }
        }
        return missing;
    }

    /** Resource names: the last string constant before a call to a class loader's or class's resource reader. */
    static Set<String> readResources(ClassReader reader) {
        Set<String> names = new TreeSet<>();
        reader.accept(
                new ClassVisitor(Opcodes.ASM9) {
                    @Override
                    public MethodVisitor visitMethod(
                            int access, String name, String descriptor, String signature, String[] exceptions) {
                        return new MethodVisitor(Opcodes.ASM9) {
                            private String lastString;

                            @Override
                            public void visitLdcInsn(Object value) {
                                lastString = value instanceof String s ? s : null;
                            }

                            @Override
                            public void visitMethodInsn(
                                    int opcode, String owner, String method, String desc, boolean isInterface) {
                                if (READERS.contains(method)
                                        && (owner.equals("java/lang/ClassLoader") || owner.equals("java/lang/Class"))
                                        && lastString != null) {
                                    names.add(lastString);
                                }
                                lastString = null;
                            }
                        };
                    }
                },
                ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return names;
    }

    private static List<String> configured(Path applicationProperties) {
        if (!Files.isRegularFile(applicationProperties)) {
            return List.of();
        }
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(applicationProperties)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String includes = properties.getProperty("quarkus.native.resources.includes", "");
        return includes.isBlank() ? List.of() : List.of(includes.split(","));
    }
}
