-- A project's rules, one document each (the API's shape); origin 'default' (shipped) or 'api'.
create table alerting.rules (
    project_id  text        not null,
    id          text        not null,
    rule        jsonb       not null,
    origin      text        not null,
    created_at  timestamptz not null,
    updated_at  timestamptz not null,
    primary key (project_id, id)
);
create index rules_metric_idx on alerting.rules (project_id, (rule->>'metric'));

-- Projects the shipped inventory was installed into (once: a deleted default stays deleted).
create table alerting.project_defaults (
    project_id    text primary key,
    installed_at  timestamptz not null
);

-- One row per alert (rule + series labels): where it stands on window time, and who acknowledged it.
create table alerting.alerts (
    project_id        text             not null,
    fingerprint       text             not null,
    rule_id           text             not null,
    labels            jsonb            not null,
    state             text,
    pending_since     timestamptz,
    firing_since      timestamptz,
    recovering_since  timestamptz,
    last_window_end   timestamptz,
    value             double precision,
    threshold         double precision,
    baseline          double precision,
    summary           text,
    severity          text,
    owner             text,
    runbook_url       text,
    acknowledged_by   text,
    acknowledged_at   timestamptz,
    updated_at        timestamptz      not null,
    primary key (project_id, fingerprint)
);
create index alerts_state_idx on alerting.alerts (project_id, state);

-- Every state entered (an alert's history) and the outbox of loupe.alerts.v1.
create table alerting.alert_transitions (
    seq           bigserial primary key,
    project_id    text             not null,
    fingerprint   text             not null,
    state         text             not null,
    window_end    timestamptz      not null,
    value         double precision,
    threshold     double precision,
    baseline      double precision,
    reason        text,
    event         jsonb            not null,
    recorded_at   timestamptz      not null default now(),
    published_at  timestamptz
);
create index alert_transitions_alert_idx on alerting.alert_transitions (project_id, fingerprint, seq);
create index alert_transitions_unpublished_idx on alerting.alert_transitions (seq) where published_at is null;
