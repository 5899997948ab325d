package dev.loupe.common.tenancy;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;

/** The authenticated caller of the current request: above all, the project every query is scoped to. */
@RequestScoped
public class Caller {
    public static final String PROJECT_ATTRIBUTE = "loupe.projectId";

    private final SecurityIdentity identity;

    public Caller(SecurityIdentity identity) {
        this.identity = identity;
    }

    /** The caller's project; a caller without one (the bootstrap token) may not touch project data. */
    public String projectId() {
        String project = identity.getAttribute(PROJECT_ATTRIBUTE);
        if (project == null) {
            throw new ForbiddenException("this credential belongs to no project");
        }
        return project;
    }

    public String keyId() {
        return identity.getPrincipal().getName();
    }
}
