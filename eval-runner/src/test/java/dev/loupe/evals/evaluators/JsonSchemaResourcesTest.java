package dev.loupe.evals.evaluators;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Schema;
import com.networknt.schema.i18n.DefaultMessageSource;
import io.quarkus.runtime.annotations.RegisterResourceBundle;
import io.quarkus.runtime.annotations.RegisterResources;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The resources json_schema needs at run time are the ones registered for native images. */
class JsonSchemaResourcesTest {
    @Test
    void theRegisteredBundleIsTheOneTheLibraryReadsItsMessagesFrom() {
        String bundle = JsonSchemaResources.class
                .getAnnotation(RegisterResourceBundle.class)
                .bundleName();

        assertThat(bundle).isEqualTo(DefaultMessageSource.BUNDLE_BASE_NAME);
        assertThat(ResourceBundle.getBundle(bundle, Locale.ROOT).keySet()).contains("required", "type");
    }

    @Test
    void everyDraft202012MetaSchemaInTheLibraryIsRegistered() throws Exception {
        String[] globs =
                JsonSchemaResources.class.getAnnotation(RegisterResources.class).globs();
        URI jar =
                Schema.class.getProtectionDomain().getCodeSource().getLocation().toURI();
        List<String> metaSchemas;
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("jar:" + jar), Map.of());
                Stream<Path> files = Files.walk(fs.getPath("/draft/2020-12"))) {
            metaSchemas = files.filter(Files::isRegularFile)
                    .map(p -> p.toString().substring(1))
                    .toList();
        }

        assertThat(metaSchemas).contains("draft/2020-12/schema", "draft/2020-12/meta/core");
        for (String glob : globs) {
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
            assertThat(metaSchemas).allMatch(name -> matcher.matches(Path.of(name)));
        }
    }
}
