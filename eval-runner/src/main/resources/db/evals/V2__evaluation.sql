-- Why each decision was or was not evaluated (rate, error, truncated, capped, skipped); kept so a
-- redelivered decision gets the same verdict.
alter table evals.decisions add column sampling text;

-- A feature's evaluation settings (PUT /v1/features/{feature}/evaluation), every default filled in.
create table evals.feature_configs (
    project_id   text        not null,
    feature      text        not null,
    config       jsonb       not null,
    updated_at   timestamptz not null,
    updated_by   text,
    primary key (project_id, feature)
);

-- Rate-sampled decisions asked for per feature and minute of occurrence: the per-minute cap counts here.
create table evals.sample_minutes (
    project_id   text        not null,
    feature      text        not null,
    minute       timestamptz not null,
    requested    integer     not null,
    touched_at   timestamptz not null default now(),
    primary key (project_id, feature, minute)
);
-- retention goes by when a counter was last used, so a back-fill of old minutes keeps its counts
create index sample_minutes_touched_idx on evals.sample_minutes (touched_at);

-- Every result, once per decision, evaluator, version and trigger; record is the published EvalResult.
create table evals.results (
    project_id          text             not null,
    decision_id         text             not null,
    evaluator           text             not null,
    evaluator_version   text             not null,
    trigger             text             not null,
    eval_id             text             not null,
    feature             text,
    score               double precision not null,
    passed              boolean          not null,
    reason              text,
    evaluated_at        timestamptz      not null,
    judge_input_tokens  integer,
    judge_output_tokens integer,
    judge_cost_usd      numeric(18, 8),
    record              jsonb            not null,
    primary key (project_id, decision_id, evaluator, evaluator_version, trigger)
);
create index results_evaluated_idx on evals.results (project_id, evaluated_at);

-- LLM-judge evaluations wait here, off the consumer's path; an unreachable judge only moves due_at.
create table evals.judge_jobs (
    project_id         text             not null,
    decision_id        text             not null,
    evaluator          text             not null,
    evaluator_version  text             not null,
    trigger            text             not null,
    feature            text,
    config             jsonb            not null,
    threshold          double precision not null,
    reference          text,
    state              text             not null default 'queued',
    attempts           integer          not null default 0,
    malformed_runs     integer          not null default 0,
    due_at             timestamptz      not null,
    leased_until       timestamptz,
    lease_token        uuid,
    last_error         text,
    created_at         timestamptz      not null,
    updated_at         timestamptz      not null,
    primary key (project_id, decision_id, evaluator, evaluator_version, trigger)
);
create index judge_jobs_due_idx on evals.judge_jobs (due_at) where state = 'queued';
create index judge_jobs_scored_idx on evals.judge_jobs (leased_until) where state = 'scored';
