-- Raw spans, every SpanRecord field. Idempotent on (project_id, span_id, start_time): the time column
-- is part of the key so the table can become a TimescaleDB hypertable unchanged.
create table telemetry.spans (
    project_id              text        not null,
    trace_id                text        not null,
    span_id                 text        not null,
    parent_span_id          text,
    kind                    text        not null,
    name                    text,
    provider                text,
    model                   text,
    start_time              timestamptz not null,
    end_time                timestamptz,
    latency_ms              bigint,
    time_to_first_token_ms  bigint,
    input_tokens            bigint,
    output_tokens           bigint,
    cached_input_tokens     bigint,
    reasoning_tokens        bigint,
    cost_usd                numeric(20, 10),
    prompt                  text,
    completion              text,
    truncated               boolean     not null default false,
    redactions              jsonb,
    parsed_output           jsonb,
    parse_error             text,
    status                  text        not null,
    error_type              text,
    error_message           text,
    feature                 text,
    session_id              text,
    user_id                 text,
    decision_id             text,
    tool_name               text,
    metadata                jsonb,
    attributes              jsonb,
    received_at             timestamptz,
    schema_version          integer     not null,
    primary key (project_id, span_id, start_time)
);

create index spans_trace_idx on telemetry.spans (project_id, trace_id);

-- Plain PostgreSQL: BRIN on time. TimescaleDB, when usable, is set up by V7 alone (it drops this index when it makes
-- the table a hypertable, which brings its own time index); V1–V6 no longer touch it (README, "Two database paths").
create index spans_start_brin on telemetry.spans using brin (start_time);
