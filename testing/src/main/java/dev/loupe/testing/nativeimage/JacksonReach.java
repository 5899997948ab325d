package dev.loupe.testing.nativeimage;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.objectweb.asm.AnnotationVisitor;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.RecordComponentVisitor;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.Frame;
import org.objectweb.asm.tree.analysis.SimpleVerifier;

/**
 * Finds the Loupe types Jackson reads or writes, and which of them are not registered for reflection. In a native
 * image Jackson sees only the constructors, fields and accessors registered for reflection; an unregistered record
 * reads as empty or fails. Quarkus registers what it can see (REST signatures it resolves), so the rule here is
 * stricter and simpler: every Jackson-bound Loupe type is registered explicitly, with {@code @RegisterForReflection}
 * on it or in the {@code targets} of one (contracts' records: {@code ContractReflection} in common).
 *
 * <p>Jackson-bound means any of: a type carrying a Jackson annotation; the type argument of a {@code TypeReference};
 * a class literal handed to a Jackson or {@code EventJson} method ({@code readValue(bytes, X.class)}); the static type
 * of a value handed to a writer ({@code EventJson.encode(x)}, {@code Response.status(201).entity(x)}); a type in a
 * REST resource method's parameters or result ({@code Uni<List<X>>} gives X); and, transitively, the types of the
 * record components and instance fields of all of these. What the scan cannot see: a value typed {@code Object} or
 * an interface where it is written, and the elements of a collection written whole.
 */
public final class JacksonReach {
    private static final String JACKSON_ANNOTATIONS = "Lcom/fasterxml/jackson/annotation/";
    private static final String JACKSON_DATABIND_ANNOTATIONS = "Lcom/fasterxml/jackson/databind/annotation/";
    private static final Set<String> REST_METHODS = Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD");

    private JacksonReach() {}

    /**
     * The Jackson-bound types (binary names) among the classes under {@code roots} whose names start with prefix,
     * with their closure.
     */
    public static Set<String> boundTypes(List<Path> roots, String prefix, ClassLoader loader) {
        Set<String> seeds = new TreeSet<>();
        List<String> classes = new ArrayList<>();
        for (Path root : roots) {
            BuildTimeState.forEachClass(root, prefix, bytes -> {
                ClassReader reader = new ClassReader(bytes);
                classes.add(reader.getClassName().replace('/', '.'));
                scan(reader, seeds);
                written(reader, loader, seeds);
            });
        }
        for (String name : classes) {
            Class<?> type = load(name, loader);
            if (type.getGenericSuperclass() instanceof ParameterizedType p
                    && p.getRawType().getTypeName().equals("com.fasterxml.jackson.core.type.TypeReference")) {
                collect(p.getActualTypeArguments()[0], seeds);
            }
            for (Method method : declaredMethods(type)) {
                if (isRestMethod(method)) {
                    collect(method.getGenericReturnType(), seeds);
                    for (Type parameter : method.getGenericParameterTypes()) {
                        collect(parameter, seeds);
                    }
                }
            }
        }
        return closure(seeds, prefix, loader);
    }

    /**
     * The binary names of the types registered by {@code @RegisterForReflection} in the classes under roots: the
     * annotated class or its {@code targets} and {@code classNames}, each with its nested classes unless {@code
     * ignoreNested}.
     */
    public static Set<String> registeredTypes(List<Path> roots, String prefix, ClassLoader loader) {
        Set<String> registered = new TreeSet<>();
        for (Path root : roots) {
            BuildTimeState.forEachClass(root, prefix, bytes -> {
                Class<?> type = load(new ClassReader(bytes).getClassName().replace('/', '.'), loader);
                RegisterForReflection r = type.getAnnotation(RegisterForReflection.class);
                if (r == null) {
                    return;
                }
                List<Class<?>> targets = new ArrayList<>(List.of(r.targets()));
                for (String name : r.classNames()) {
                    targets.add(load(name, loader));
                }
                if (targets.isEmpty()) {
                    targets.add(type);
                }
                targets.forEach(target -> register(target, !r.ignoreNested(), registered));
            });
        }
        return registered;
    }

    /** As Quarkus' RegisterForReflection build step: the class and, unless ignoreNested, its nested classes. */
    private static void register(Class<?> type, boolean nested, Set<String> registered) {
        registered.add(type.getName());
        if (nested) {
            for (Class<?> member : type.getDeclaredClasses()) {
                register(member, true, registered);
            }
        }
    }

    /** The Jackson-bound types under roots that are not registered; empty when all are. */
    public static Set<String> unregistered(List<Path> roots, String prefix, ClassLoader loader) {
        Set<String> registered = registeredTypes(roots, prefix, loader);
        return boundTypes(roots, prefix, loader).stream()
                .filter(name -> !registered.contains(name))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static void scan(ClassReader reader, Set<String> seeds) {
        String self = reader.getClassName().replace('/', '.');
        reader.accept(
                new ClassVisitor(Opcodes.ASM9) {
                    @Override
                    public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
                        jackson(descriptor);
                        return null;
                    }

                    @Override
                    public RecordComponentVisitor visitRecordComponent(
                            String name, String descriptor, String signature) {
                        return new RecordComponentVisitor(Opcodes.ASM9) {
                            @Override
                            public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
                                jackson(annotation);
                                return null;
                            }
                        };
                    }

                    @Override
                    public FieldVisitor visitField(
                            int access, String name, String descriptor, String signature, Object value) {
                        return new FieldVisitor(Opcodes.ASM9) {
                            @Override
                            public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
                                jackson(annotation);
                                return null;
                            }
                        };
                    }

                    @Override
                    public MethodVisitor visitMethod(
                            int access, String name, String descriptor, String signature, String[] exceptions) {
                        return new MethodVisitor(Opcodes.ASM9) {
                            private String lastClassLiteral;

                            @Override
                            public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
                                jackson(annotation);
                                return null;
                            }

                            @Override
                            public AnnotationVisitor visitParameterAnnotation(
                                    int parameter, String annotation, boolean visible) {
                                jackson(annotation);
                                return null;
                            }

                            @Override
                            public void visitLdcInsn(Object value) {
                                if (value instanceof org.objectweb.asm.Type t
                                        && t.getSort() == org.objectweb.asm.Type.OBJECT) {
                                    lastClassLiteral = t.getClassName();
                                }
                            }

                            @Override
                            public void visitMethodInsn(
                                    int opcode, String owner, String method, String desc, boolean isInterface) {
                                if (desc.contains("Ljava/lang/Class;")) {
                                    if (lastClassLiteral != null
                                            && (owner.startsWith("com/fasterxml/jackson/")
                                                    || owner.equals("dev/loupe/contracts/json/EventJson"))) {
                                        seeds.add(lastClassLiteral);
                                    }
                                    lastClassLiteral = null;
                                }
                            }
                        };
                    }

                    private void jackson(String descriptor) {
                        if (descriptor.startsWith(JACKSON_ANNOTATIONS)
                                || descriptor.startsWith(JACKSON_DATABIND_ANNOTATIONS)) {
                            seeds.add(self);
                        }
                    }
                },
                ClassReader.SKIP_FRAMES);
    }

    /**
     * The static types of the values handed to a writer: a Jackson mapper or writer, {@code EventJson.encode}, Vert.x'
     * {@code JsonObject.mapFrom}, a JAX-RS or RESTEasy Reactive response entity. The parameter is {@code Object}, so
     * the type comes from the bytecode's data flow (ASM's {@link SimpleVerifier}): {@code EventJson.encode(stored)}
     * with {@code stored} a {@code StoredResults} gives {@code StoredResults}.
     */
    private static void written(ClassReader reader, ClassLoader loader, Set<String> seeds) {
        ClassNode node = new ClassNode();
        reader.accept(node, ClassReader.SKIP_FRAMES);
        for (MethodNode method : node.methods) {
            if (!hasWriterCall(method)) {
                continue;
            }
            SimpleVerifier verifier = new SimpleVerifier(
                    org.objectweb.asm.Type.getObjectType(node.name),
                    node.superName == null ? null : org.objectweb.asm.Type.getObjectType(node.superName),
                    node.interfaces.stream()
                            .map(org.objectweb.asm.Type::getObjectType)
                            .toList(),
                    (node.access & Opcodes.ACC_INTERFACE) != 0);
            verifier.setClassLoader(loader);
            Frame<BasicValue>[] frames;
            try {
                frames = new Analyzer<>(verifier).analyze(node.name, method);
            } catch (AnalyzerException | RuntimeException | LinkageError e) {
                throw new IllegalStateException("cannot follow the types in " + node.name + "." + method.name, e);
            }
            for (int i = 0; i < method.instructions.size(); i++) {
                if (method.instructions.get(i) instanceof MethodInsnNode call && isWriter(call) && frames[i] != null) {
                    org.objectweb.asm.Type[] arguments = org.objectweb.asm.Type.getArgumentTypes(call.desc);
                    int first = frames[i].getStackSize() - arguments.length;
                    for (int a = 0; a < arguments.length; a++) {
                        if (arguments[a].getDescriptor().equals("Ljava/lang/Object;")) {
                            org.objectweb.asm.Type actual =
                                    frames[i].getStack(first + a).getType();
                            if (actual != null && actual.getSort() == org.objectweb.asm.Type.OBJECT) {
                                seeds.add(actual.getClassName());
                            }
                        }
                    }
                }
            }
        }
    }

    private static boolean hasWriterCall(MethodNode method) {
        for (AbstractInsnNode instruction : method.instructions) {
            if (instruction instanceof MethodInsnNode call && isWriter(call)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isWriter(MethodInsnNode call) {
        return call.desc.contains("Ljava/lang/Object;")
                && (call.owner.startsWith("com/fasterxml/jackson/databind/")
                        || call.owner.equals("dev/loupe/contracts/json/EventJson")
                        || (call.owner.endsWith("/json/JsonObject") && call.name.equals("mapFrom"))
                        || call.owner.equals("jakarta/ws/rs/core/Response")
                        || call.owner.equals("jakarta/ws/rs/core/Response$ResponseBuilder")
                        || call.owner.equals("org/jboss/resteasy/reactive/RestResponse")
                        || call.owner.equals("org/jboss/resteasy/reactive/RestResponse$ResponseBuilder"));
    }

    private static Set<String> closure(Set<String> seeds, String prefix, ClassLoader loader) {
        Set<String> bound = new TreeSet<>();
        Set<String> seen = new java.util.HashSet<>();
        Deque<String> todo = new ArrayDeque<>(seeds);
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (!name.startsWith(prefix) || !seen.add(name)) {
                continue;
            }
            Class<?> type = load(name, loader);
            Set<String> parts = new TreeSet<>();
            if (type.isInterface() || Modifier.isAbstract(type.getModifiers()) && !type.isEnum()) {
                // Jackson reflects on the value's own class: for a sealed type, that is one of its permitted ones
                for (Class<?> permitted : type.isSealed() ? type.getPermittedSubclasses() : new Class<?>[0]) {
                    parts.add(permitted.getName());
                }
                todo.addAll(parts);
                continue;
            }
            bound.add(name);
            if (type.isRecord()) {
                for (RecordComponent component : type.getRecordComponents()) {
                    collect(component.getGenericType(), parts);
                }
            } else if (!type.isEnum()) {
                for (Field field : type.getDeclaredFields()) {
                    if (!Modifier.isStatic(field.getModifiers()) && !field.isSynthetic()) {
                        collect(field.getGenericType(), parts);
                    }
                }
            }
            todo.addAll(parts);
        }
        return bound;
    }

    private static void collect(Type type, Set<String> into) {
        if (type instanceof Class<?> c) {
            Class<?> element = c;
            while (element.isArray()) {
                element = element.getComponentType();
            }
            if (element.getName().startsWith("dev.loupe.")) {
                into.add(element.getName());
            }
        } else if (type instanceof ParameterizedType p) {
            collect(p.getRawType(), into);
            for (Type argument : p.getActualTypeArguments()) {
                collect(argument, into);
            }
        } else if (type instanceof GenericArrayType a) {
            collect(a.getGenericComponentType(), into);
        } else if (type instanceof WildcardType w) {
            for (Type bound : w.getUpperBounds()) {
                collect(bound, into);
            }
        } else if (type instanceof TypeVariable<?>) {
            // a type parameter names no class of its own
        }
    }

    private static boolean isRestMethod(Method method) {
        for (Annotation annotation : method.getAnnotations()) {
            Class<? extends Annotation> kind = annotation.annotationType();
            if (kind.getPackageName().equals("jakarta.ws.rs") && REST_METHODS.contains(kind.getSimpleName())) {
                return true;
            }
        }
        return false;
    }

    private static Method[] declaredMethods(Class<?> type) {
        try {
            return type.getDeclaredMethods();
        } catch (LinkageError e) {
            return new Method[0]; // a class referring to an optional library that is not here
        }
    }

    private static Class<?> load(String name, ClassLoader loader) {
        try {
            return Class.forName(name, false, loader);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(name + " is under the scanned roots but not on the class path", e);
        }
    }
}
