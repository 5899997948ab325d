package dev.loupe.evals.evaluators;

import com.networknt.schema.i18n.DefaultMessageSource;
import io.quarkus.runtime.annotations.RegisterResourceBundle;
import io.quarkus.runtime.annotations.RegisterResources;

/**
 * What json-schema-validator reads from the class path at run time, registered for native images: the draft 2020-12
 * meta-schemas {@code json_schema} validates a feature's schema against (read lazily, as references resolve), and the
 * {@code jsv-messages} resource bundle its violation messages come from. The library's own native-image metadata lists
 * the schemas as resources but not the bundle, and a bundle must be registered as one.
 */
@RegisterResources(globs = JsonSchemaResources.META_SCHEMAS)
@RegisterResourceBundle(bundleName = DefaultMessageSource.BUNDLE_BASE_NAME)
final class JsonSchemaResources {
    static final String META_SCHEMAS = "draft/2020-12/**";

    private JsonSchemaResources() {}
}
