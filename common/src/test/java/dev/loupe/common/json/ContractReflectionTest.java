package dev.loupe.common.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contracts.events.SpanRecord;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every record and enum of loupe-contracts is registered for reflection by {@link ContractReflection}, or a native
 * service could not read or write it. The classes are found in the contracts jar (or its classes directory), so a
 * new record is caught without anyone remembering this list.
 */
class ContractReflectionTest {
    @Test
    void everyContractRecordAndEnumIsRegistered() throws Exception {
        Set<Class<?>> registered = Set.of(ContractReflection.class
                .getAnnotation(RegisterForReflection.class)
                .targets());
        Set<Class<?>> contract = contractRecordsAndEnums();
        assertThat(contract).contains(SpanRecord.class).hasSizeGreaterThan(10);
        assertThat(registered).containsExactlyInAnyOrderElementsOf(contract);
    }

    private static Set<Class<?>> contractRecordsAndEnums()
            throws IOException, URISyntaxException, ClassNotFoundException {
        URI location = SpanRecord.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI();
        Path root = Path.of(location);
        Set<Class<?>> found = new HashSet<>();
        if (Files.isDirectory(root)) {
            collect(root, found);
        } else {
            try (FileSystem jar = FileSystems.newFileSystem(URI.create("jar:" + location), Map.of())) {
                collect(jar.getPath("/"), found);
            }
        }
        return found;
    }

    private static void collect(Path root, Set<Class<?>> found) throws IOException, ClassNotFoundException {
        List<String> names;
        try (Stream<Path> files = Files.walk(root)) {
            names = files.map(f -> root.relativize(f).toString().replace('\\', '/'))
                    .filter(n -> n.startsWith("dev/loupe/contracts/") && n.endsWith(".class"))
                    .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
                    .toList();
        }
        for (String name : names) {
            Class<?> type = Class.forName(name, false, ContractReflectionTest.class.getClassLoader());
            if (type.isRecord() || type.isEnum()) {
                found.add(type);
            }
        }
    }
}
