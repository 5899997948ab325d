package dev.loupe.alerting.rules;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.loupe.alerting.AlertingConfig;
import dev.loupe.common.http.ProblemException;
import dev.loupe.contracts.json.EventJson;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The shipped inventory ({@code alerting/default-rules.yaml}), each rule validated at start-up so a broken
 * default fails the deployment, not the first project. {@code {{runbookBase}}} in a runbook URL becomes
 * {@code loupe.alerting.runbook-base-url}. The file is registered for native images, which hold only registered
 * class-path resources.
 */
@Singleton
@io.quarkus.runtime.annotations.RegisterResources(globs = DefaultRules.RESOURCE)
public class DefaultRules {
    static final String RESOURCE = "alerting/default-rules.yaml";
    private static final TypeReference<List<Rule>> RULES = new TypeReference<>() {};

    private final List<Rule> rules;

    public DefaultRules(AlertingConfig config) {
        this.rules = load(config.runbookBaseUrl());
    }

    public List<Rule> rules() {
        return rules;
    }

    /** The shipped rules with {@code {{runbookBase}}} resolved, each validated; fails on a broken one. */
    public static List<Rule> load(String runbookBase) {
        String yaml;
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("{{runbookBase}}", runbookBase.replaceAll("/+$", ""));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE, e);
        }
        ObjectMapper mapper = EventJson.configure(new ObjectMapper(new YAMLFactory()));
        List<Rule> parsed;
        try {
            parsed = mapper.readValue(yaml, RULES);
        } catch (IOException e) {
            throw new IllegalStateException(RESOURCE + " is not a list of rules: " + e.getMessage(), e);
        }
        List<Rule> valid = new ArrayList<>();
        for (Rule rule : parsed) {
            try {
                valid.add(RuleValidator.validated(rule.id(), rule));
            } catch (ProblemException e) {
                throw new IllegalStateException("shipped rule " + rule.id() + " is invalid: " + e.getMessage(), e);
            }
        }
        return List.copyOf(valid);
    }
}
