-- Decision contexts, evaluation results and feedback facts, each with its full record (jsonb) so the
-- reconstruction API returns exactly what travelled, plus the columns queries filter on. Every key includes
-- the time column, so the tables can become hypertables unchanged; a redelivered record is a no-op.
create table telemetry.decisions (
    project_id      text        not null,
    decision_id     text        not null,
    occurred_at     timestamptz not null,
    trace_id        text,
    feature         text,
    model           text,
    status          text,
    record          jsonb       not null,
    received_at     timestamptz not null default now(),
    primary key (project_id, decision_id, occurred_at)
);
create index decisions_lookup_idx on telemetry.decisions (project_id, decision_id);
create index decisions_feature_idx on telemetry.decisions (project_id, feature, occurred_at);

create table telemetry.eval_results (
    project_id      text             not null,
    eval_id         text             not null,
    evaluated_at    timestamptz      not null,
    decision_id     text             not null,
    feature         text,
    evaluator       text             not null,
    score           double precision not null,
    passed          boolean          not null,
    record          jsonb            not null,
    primary key (project_id, eval_id, evaluated_at)
);
create index eval_results_decision_idx on telemetry.eval_results (project_id, decision_id);

create table telemetry.feedback (
    project_id      text        not null,
    feedback_id     text        not null,
    occurred_at     timestamptz not null,
    decision_id     text        not null,
    signal          text        not null,
    record          jsonb       not null,
    primary key (project_id, feedback_id, occurred_at)
);
create index feedback_decision_idx on telemetry.feedback (project_id, decision_id);

-- Plain PostgreSQL: BRIN on time (V7 makes hypertables of these tables when TimescaleDB is usable).
create index decisions_time_brin on telemetry.decisions using brin (occurred_at);
create index eval_results_time_brin on telemetry.eval_results using brin (evaluated_at);
create index feedback_time_brin on telemetry.feedback using brin (occurred_at);
