package dev.loupe.testing.nativeimage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Finds static state that a native build would freeze. Quarkus initialises classes while it builds a native image, so
 * a static initialiser runs on the build machine and what it made is copied into the executable: a random generator
 * seeded there (GraalVM refuses the image: "Detected an instance of Random/SplittableRandom class in the image heap"),
 * the build's clock reading, a thread or pool started there, a connection opened there, the build machine's CPU count.
 *
 * <p>Two angles over compiled classes, so neither a field's declared type nor its initialiser can hide it: static
 * fields whose type is such a thing ({@link #FORBIDDEN_FIELD_TYPES}), and what static initialisers run ({@code
 * <clinit>} and the same class's static methods it calls): creating one of {@link #FORBIDDEN_NEW} or calling one of
 * {@link #FORBIDDEN_CALLS}. Do such work in a bean, per call, or in a method run at start-up.
 */
public final class BuildTimeState {
    /** Internal names of types no static field may have. */
    public static final Set<String> FORBIDDEN_FIELD_TYPES = Set.of(
            "java/util/Random",
            "java/security/SecureRandom",
            "java/util/SplittableRandom",
            "java/util/concurrent/ThreadLocalRandom",
            "java/util/random/RandomGenerator",
            "java/time/Clock",
            "java/time/InstantSource",
            "java/lang/Thread",
            "java/util/Timer",
            "java/util/concurrent/Executor",
            "java/util/concurrent/ExecutorService",
            "java/util/concurrent/ScheduledExecutorService",
            "java/util/concurrent/ThreadPoolExecutor",
            "java/util/concurrent/ScheduledThreadPoolExecutor",
            "java/util/concurrent/ForkJoinPool",
            "java/sql/Connection",
            "javax/sql/DataSource",
            "java/net/Socket",
            "java/net/ServerSocket",
            "java/nio/channels/SocketChannel",
            "java/net/http/HttpClient",
            "io/vertx/core/Vertx",
            "io/vertx/mutiny/core/Vertx",
            "io/vertx/sqlclient/Pool",
            "io/vertx/mutiny/sqlclient/Pool",
            "io/vertx/pgclient/PgPool",
            "io/vertx/mutiny/pgclient/PgPool",
            "org/apache/kafka/clients/producer/KafkaProducer",
            "org/apache/kafka/clients/consumer/KafkaConsumer",
            "org/apache/kafka/clients/admin/Admin");

    /** Types a static initialiser may not create. */
    public static final Set<String> FORBIDDEN_NEW = Set.of(
            "java/util/Random",
            "java/security/SecureRandom",
            "java/util/SplittableRandom",
            "java/lang/Thread",
            "java/util/Timer",
            "java/util/concurrent/ThreadPoolExecutor",
            "java/util/concurrent/ScheduledThreadPoolExecutor",
            "java/util/concurrent/ForkJoinPool",
            "java/net/Socket",
            "java/net/ServerSocket",
            "org/apache/kafka/clients/producer/KafkaProducer",
            "org/apache/kafka/clients/consumer/KafkaConsumer");

    /**
     * Calls a static initialiser may not make: {@code owner.name}, or {@code owner.*} for every method of the owner.
     */
    public static final Set<String> FORBIDDEN_CALLS = Set.of(
            "java/lang/System.currentTimeMillis",
            "java/lang/System.nanoTime",
            "java/time/Instant.now",
            "java/time/LocalDate.now",
            "java/time/LocalDateTime.now",
            "java/time/OffsetDateTime.now",
            "java/time/ZonedDateTime.now",
            "java/time/Clock.systemUTC",
            "java/time/Clock.systemDefaultZone",
            "java/time/InstantSource.system",
            "java/util/UUID.randomUUID",
            "java/lang/Math.random",
            "java/util/concurrent/ThreadLocalRandom.current",
            "java/security/SecureRandom.getInstance",
            "java/security/SecureRandom.getInstanceStrong",
            "java/util/concurrent/Executors.*",
            "java/lang/Thread.ofPlatform",
            "java/lang/Thread.ofVirtual",
            "java/lang/Thread.startVirtualThread",
            "java/lang/Runtime.availableProcessors",
            "java/lang/Runtime.maxMemory",
            "java/net/InetAddress.getLocalHost",
            "java/net/InetAddress.getByName",
            "java/net/InetAddress.getAllByName",
            "java/sql/DriverManager.getConnection",
            "java/net/http/HttpClient.newHttpClient",
            "java/net/http/HttpClient.newBuilder",
            "io/vertx/core/Vertx.vertx",
            "io/vertx/mutiny/core/Vertx.vertx",
            "io/vertx/sqlclient/Pool.pool",
            "io/vertx/mutiny/sqlclient/Pool.pool",
            "io/vertx/pgclient/PgBuilder.pool",
            "org/apache/kafka/clients/admin/Admin.create",
            "org/apache/kafka/clients/admin/AdminClient.create");

    private BuildTimeState() {}

    /** Every finding in the classes under {@code roots} (directories or jars) whose names start with {@code prefix}. */
    public static List<String> findings(List<Path> roots, String prefix) {
        List<String> findings = new ArrayList<>();
        for (Path root : roots) {
            forEachClass(root, prefix, bytes -> findings.addAll(inspect(bytes)));
        }
        return findings;
    }

    /** The findings in one class file. */
    public static List<String> inspect(byte[] classFile) {
        ClassReader reader = new ClassReader(classFile);
        String owner = reader.getClassName().replace('/', '.');
        List<String> findings = new ArrayList<>();
        Map<String, List<String[]>> calls = new HashMap<>(); // static method (name+desc) -> same-class static calls
        Map<String, List<String>> direct = new HashMap<>(); // method (name+desc) -> its forbidden operations
        reader.accept(
                new ClassVisitor(Opcodes.ASM9) {
                    @Override
                    public FieldVisitor visitField(
                            int access, String name, String descriptor, String signature, Object value) {
                        Type type = Type.getType(descriptor);
                        while (type.getSort() == Type.ARRAY) {
                            type = type.getElementType();
                        }
                        if ((access & Opcodes.ACC_STATIC) != 0
                                && type.getSort() == Type.OBJECT
                                && FORBIDDEN_FIELD_TYPES.contains(type.getInternalName())) {
                            findings.add(owner + "." + name + ": a static " + type.getClassName()
                                    + " is created on the build machine and frozen into the native image");
                        }
                        return null;
                    }

                    @Override
                    public MethodVisitor visitMethod(
                            int access, String name, String descriptor, String signature, String[] exceptions) {
                        if ((access & Opcodes.ACC_STATIC) == 0) {
                            return null;
                        }
                        String key = name + descriptor;
                        List<String[]> sameClass = calls.computeIfAbsent(key, k -> new ArrayList<>());
                        List<String> forbidden = direct.computeIfAbsent(key, k -> new ArrayList<>());
                        String self = reader.getClassName();
                        return new MethodVisitor(Opcodes.ASM9) {
                            @Override
                            public void visitTypeInsn(int opcode, String type) {
                                if (opcode == Opcodes.NEW && FORBIDDEN_NEW.contains(type)) {
                                    forbidden.add("new " + type.replace('/', '.'));
                                }
                            }

                            @Override
                            public void visitMethodInsn(
                                    int opcode, String callee, String method, String desc, boolean isInterface) {
                                if (FORBIDDEN_CALLS.contains(callee + "." + method)
                                        || FORBIDDEN_CALLS.contains(callee + ".*")) {
                                    forbidden.add(callee.replace('/', '.') + "." + method + "()");
                                } else if (opcode == Opcodes.INVOKESTATIC && callee.equals(self)) {
                                    sameClass.add(new String[] {method + desc});
                                }
                            }
                        };
                    }
                },
                ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        // what <clinit> runs: itself and, transitively, the static methods of this class it calls
        Set<String> reached = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of("<clinit>()V"));
        while (!todo.isEmpty()) {
            String method = todo.pop();
            if (!reached.add(method) || !calls.containsKey(method)) {
                continue;
            }
            for (String operation : direct.get(method)) {
                findings.add(
                        owner + " static initialiser" + (method.equals("<clinit>()V") ? "" : " (via " + method + ")")
                                + ": " + operation + " runs on the build machine when a native image is built");
            }
            calls.get(method).forEach(c -> todo.push(c[0]));
        }
        return findings;
    }

    /** Calls {@code action} with the bytes of every class file under {@code root} whose name starts with prefix. */
    static void forEachClass(Path root, String prefix, java.util.function.Consumer<byte[]> action) {
        String path = prefix.replace('.', '/');
        try {
            if (Files.isDirectory(root)) {
                walk(root, path, action);
            } else if (Files.isRegularFile(root) && root.toString().endsWith(".jar")) {
                try (FileSystem jar = FileSystems.newFileSystem(URI.create("jar:" + root.toUri()), Map.of())) {
                    walk(jar.getPath("/"), path, action);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void walk(Path root, String prefix, java.util.function.Consumer<byte[]> action) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = root.relativize(file).toString().replace('\\', '/');
                if (name.startsWith(prefix) && name.endsWith(".class") && !name.endsWith("module-info.class")) {
                    try (InputStream in = Files.newInputStream(file)) {
                        action.accept(in.readAllBytes());
                    }
                }
            }
        }
    }
}
