-- A project's receivers (PUT /v1/receivers/{name}); settings per type, validated by its notifier.
create table alerting.receivers (
    project_id  text        not null,
    name        text        not null,
    type        text        not null,
    settings    jsonb       not null,
    updated_at  timestamptz not null,
    primary key (project_id, name)
);

-- A project's route tree (PUT /v1/routes); absent: everything to the receiver named "default".
create table alerting.routes (
    project_id  text primary key,
    tree        jsonb       not null,
    updated_at  timestamptz not null
);

-- Silences (POST /v1/silences), Alertmanager's shape.
create table alerting.silences (
    id          uuid primary key,
    project_id  text        not null,
    matchers    jsonb       not null,
    starts_at   timestamptz not null,
    ends_at     timestamptz not null,
    created_by  text        not null,
    comment     text        not null,
    created_at  timestamptz not null
);
create index silences_active_idx on alerting.silences (project_id, ends_at);

-- What each receiver was last told about each group: a restart neither repeats nor forgets a resolve.
create table alerting.notification_groups (
    project_id       text        not null,
    receiver         text        not null,
    group_key        text        not null,
    first_seen_at    timestamptz not null,
    last_sent_at     timestamptz,
    sent_firing      text[]      not null,
    sent_acked       text[]      not null,
    next_attempt_at  timestamptz,
    attempts         integer     not null default 0,
    last_error       text,
    primary key (project_id, receiver, group_key)
);

-- Every delivery attempt and how it ended.
create table alerting.notification_log (
    seq          bigserial primary key,
    project_id   text        not null,
    receiver     text        not null,
    group_key    text        not null,
    action       text        not null,
    status       text        not null,
    alert_count  integer     not null,
    outcome      text        not null,
    detail       text,
    sent_at      timestamptz not null
);
create index notification_log_project_idx on alerting.notification_log (project_id, seq);
