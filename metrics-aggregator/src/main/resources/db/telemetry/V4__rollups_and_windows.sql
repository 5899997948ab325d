-- Rollups at 1 minute, 1 hour and 1 day, the trace → feature attribution they need, and the marks that
-- drive metric-window closing. Rollups are maintained by the application in the same transaction as the
-- raw insert, from the rows that insert actually returned, so a redelivered record never counts twice and
-- both database paths (TimescaleDB and plain PostgreSQL) produce identical numbers.
--
-- Dimension columns use '' for "absent" so they can be part of the primary key.

-- The feature a span is counted under: its own, else its trace's (DESIGN.md §2). '' = no feature yet.
-- rollup_shard: the rollup rows it was counted in (its Kafka partition), so a later move finds them.
alter table telemetry.spans add column rollup_feature text;
alter table telemetry.spans add column rollup_shard smallint;

-- First feature seen on any span of a trace, and the span time it was seen at (bounds the re-attribution).
create table telemetry.trace_features (
    project_id  text        not null,
    trace_id    text        not null,
    feature     text        not null,
    trace_time  timestamptz not null,
    primary key (project_id, trace_id)
);
create index trace_features_time_idx on telemetry.trace_features (trace_time);

create table telemetry.span_rollup_1m (
    project_id          text          not null,
    bucket              timestamptz   not null,
    kind                text          not null,
    feature             text          not null,
    model               text          not null,
    status              text          not null,
    error_type          text          not null,
    tool_name           text          not null,
    -- the source partition: concurrent consumers own disjoint rows and never wait on each other's locks
    shard               smallint      not null default 0,
    span_count          bigint        not null default 0,
    structured_count    bigint        not null default 0,
    parse_failure_count bigint        not null default 0,
    input_tokens        bigint        not null default 0,
    output_tokens       bigint        not null default 0,
    cached_input_tokens bigint        not null default 0,
    reasoning_tokens    bigint        not null default 0,
    cost_usd            numeric(24, 10) not null default 0,
    latency_count       bigint        not null default 0,
    latency_sum_ms      bigint        not null default 0,
    -- HdrHistogram (3 significant digits) of latency_ms, encoded with encodeIntoByteBuffer
    latency_sketch      bytea,
    primary key (project_id, bucket, kind, feature, model, status, error_type, tool_name, shard)
);
create table telemetry.span_rollup_1h (like telemetry.span_rollup_1m including all);
create table telemetry.span_rollup_1d (like telemetry.span_rollup_1m including all);

create table telemetry.decision_rollup_1m (
    project_id      text            not null,
    bucket          timestamptz     not null,
    feature         text            not null,
    model           text            not null,
    status          text            not null,
    decision_count  bigint          not null default 0,
    cost_usd        numeric(24, 10) not null default 0,
    primary key (project_id, bucket, feature, model, status)
);
create table telemetry.decision_rollup_1h (like telemetry.decision_rollup_1m including all);
create table telemetry.decision_rollup_1d (like telemetry.decision_rollup_1m including all);

create table telemetry.eval_rollup_1m (
    project_id      text             not null,
    bucket          timestamptz      not null,
    feature         text             not null,
    evaluator       text             not null,
    trigger         text             not null,
    eval_count      bigint           not null default 0,
    passed_count    bigint           not null default 0,
    score_sum       double precision not null default 0,
    primary key (project_id, bucket, feature, evaluator, trigger)
);
create table telemetry.eval_rollup_1h (like telemetry.eval_rollup_1m including all);
create table telemetry.eval_rollup_1d (like telemetry.eval_rollup_1m including all);

alter table telemetry.eval_results add column trigger text not null default 'SAMPLED';
create index eval_results_time_idx on telemetry.eval_results (project_id, evaluated_at);
create index feedback_time_idx on telemetry.feedback (project_id, occurred_at);
create index spans_project_time_idx on telemetry.spans (project_id, start_time);

-- One row per (project, 1-minute window, writer shard) that has data. Every transaction that changes a window's numbers
-- bumps its "changes"; the closer publishes a window whose changes are ahead of what it last published,
-- once wall-clock time passes the window's end plus the lateness allowance: revision 0 the first time,
-- +1 each time late data changes it again.
create table telemetry.window_marks (
    project_id      text        not null,
    window_start    timestamptz not null,
    -- who wrote: a span partition (0, 1, …) or a fact topic (-1 decisions, -2 evals, -3 feedback)
    shard           smallint    not null default 0,
    changes         bigint      not null default 1,
    closed_changes  bigint      not null default 0,
    revision        integer     not null default -1,
    closed_at       timestamptz,
    primary key (project_id, window_start, shard)
);
create index window_marks_open_idx on telemetry.window_marks (window_start) where changes > closed_changes;

-- The rollup tables become hypertables in V7 when TimescaleDB is usable; compression is set up there too.
