package dev.loupe.common.tenancy;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** What an API key may do. {@code feedback} keys are browser-safe; {@code admin} implies {@code read}. */
public enum Scope {
    INGEST,
    FEEDBACK,
    READ,
    ADMIN;

    /** Role names used in {@code @RolesAllowed}. */
    public static final String INGEST_ROLE = "ingest";

    public static final String FEEDBACK_ROLE = "feedback";
    public static final String READ_ROLE = "read";
    public static final String ADMIN_ROLE = "admin";
    /** Held only by the bootstrap admin token from configuration; may create projects. */
    public static final String BOOTSTRAP_ROLE = "bootstrap";

    public String role() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a scope name in any case; {@code null} when unknown. */
    public static Scope parse(String value) {
        if (value == null) {
            return null;
        }
        for (Scope scope : values()) {
            if (scope.name().equalsIgnoreCase(value.trim())) {
                return scope;
            }
        }
        return null;
    }

    /** The roles a key with these scopes holds. */
    public static Set<String> roles(Set<Scope> scopes) {
        EnumSet<Scope> effective = scopes.isEmpty() ? EnumSet.noneOf(Scope.class) : EnumSet.copyOf(scopes);
        if (effective.contains(ADMIN)) {
            effective.add(READ);
        }
        return effective.stream().map(Scope::role).collect(Collectors.toUnmodifiableSet());
    }
}
